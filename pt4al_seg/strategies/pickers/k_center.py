from typing import List

import numpy as np

from ...registry import PICKERS
from .base import BasePicker, check_k


def kcenter_greedy(candidates: np.ndarray, labelled: np.ndarray,
                   k: int) -> tuple:
    """Core-Set's k-center greedy (Sener & Savarese, 2018) on feature vectors.

    Repeatedly picks the candidate farthest (Euclidean) from the labelled set
    and the candidates picked so far; ties go to the lower index.

    Args:
        candidates (np.ndarray): (N, D) features of the unlabelled candidates.
        labelled (np.ndarray): (M, D) features of the labelled images (M may be
            0).
        k (int): How many to pick.

    Returns:
        tuple: ``(indices, min_dist)``: the picked candidate indices in pick
            order, and
        each candidate's distance to the labelled set before picking (its
        score; inf when nothing is labelled).
    """
    check_k(k, len(candidates))
    cand = np.asarray(candidates, np.float64)
    if len(labelled):
        lab = np.asarray(labelled, np.float64)
        cand_sq, lab_sq = (cand**2).sum(1), (lab**2).sum(1)
        d2 = cand_sq[:, None] - 2 * cand @ lab.T + lab_sq[None]
        min_dist = np.sqrt(np.clip(d2, 0, None).min(1))
    else:
        min_dist = np.full(len(cand), np.inf)
    initial = min_dist.copy()
    picked: List[int] = []
    for _ in range(k):
        i = int(np.argmax(min_dist))
        picked.append(i)
        min_dist = np.minimum(min_dist, np.sqrt(((cand - cand[i])**2).sum(1)))
        min_dist[picked] = -1.0
    return picked, initial


@PICKERS.register_module()
class KCenterGreedy(BasePicker):
    """Core-Set: k-center greedy on the pooled backbone features of the
    labelled images and the candidates; a candidate's score (``scores.csv``) is
    its distance to the labelled set."""

    needs = ('feature', 'labelled_feature')

    def __call__(self, candidates, k):
        picked, dist = kcenter_greedy(candidates.features,
                                      candidates.labelled_features, k)
        return [candidates.ids[i]
                for i in picked], dict(zip(candidates.ids, dist))

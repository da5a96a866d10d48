from typing import List

import numpy as np

from ...registry import PICKERS
from .base import BasePicker, check_k

# Squared distances come from norms and one matrix product (no N x D temporary
# per pick); pairs closer than NEAR * (|a|^2 + |b|^2) are recomputed from their
# difference, so duplicates are exactly 0 apart and near pairs exact. Beyond
# NEAR the norm formula's relative error stays near 1e-13 (float64, centred
# features), so distances equal within TIE (relative) are ties.
NEAR = 1e-2
TIE = 1e-9
BLOCK = 2**22  # distances per block of the first (candidates x labelled) pass


def _sq_dists(a: np.ndarray, a_sq: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``a`` (squared norms
    ``a_sq``) and the rows of ``b``: (len(a), len(b))."""
    b_sq = np.einsum('ij,ij->i', b, b)
    d2 = a_sq[:, None] - 2 * (a @ b.T) + b_sq[None]
    rows, cols = np.nonzero(d2 < NEAR * (a_sq[:, None] + b_sq[None]))
    d2[rows, cols] = ((a[rows] - b[cols])**2).sum(1)
    return np.maximum(d2, 0, out=d2)


def kcenter_greedy(candidates: np.ndarray, labelled: np.ndarray,
                   k: int) -> tuple:
    """Core-Set's k-center greedy (Sener & Savarese, 2018) on feature vectors.

    Repeatedly picks the candidate farthest (Euclidean) from the labelled set
    and the candidates picked so far; ties go to the lower index. One
    matrix-vector product per pick (features centred on the candidates' mean,
    float64), the labelled set in blocks of at most ``BLOCK`` distances:
    memory O(N x D + BLOCK).

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
    centre = cand.mean(0) if len(cand) else 0.0
    cand = np.ascontiguousarray(cand - centre)
    sq = np.einsum('ij,ij->i', cand, cand)
    min_d2 = np.full(len(cand), np.inf)
    lab = np.asarray(labelled, np.float64).reshape(-1, cand.shape[1]) - centre
    chunk = max(1, BLOCK // max(1, len(cand)))
    for start in range(0, len(lab), chunk):
        np.minimum(
            min_d2,
            _sq_dists(cand, sq, lab[start:start + chunk]).min(1),
            out=min_d2)
    initial = np.sqrt(min_d2)
    picked: List[int] = []
    for _ in range(k):
        top = min_d2.max()
        i = int(np.flatnonzero(min_d2 >= top * (1 - TIE))[0])
        picked.append(i)
        np.minimum(
            min_d2, _sq_dists(cand, sq, cand[i:i + 1])[:, 0], out=min_d2)
        min_d2[i] = -1.0  # picked: stays below every distance
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

from typing import List, Optional

import numpy as np
import torch

from ...registry import PICKERS
from .base import BasePicker, check_k, compute_device

# Squared distances come from norms and one matrix product (no N x D temporary
# per pick); pairs closer than NEAR * (|a|^2 + |b|^2) are recomputed from their
# difference, so duplicates are exactly 0 apart and near pairs exact. Beyond
# NEAR the norm formula's relative error stays near 1e-13 (float64, centred
# features), so distances equal within TIE (relative) are ties.
NEAR = 1e-2
TIE = 1e-9
BLOCK = 2**22  # distances per block of the first (candidates x labelled) pass


def _sq_dists(a: torch.Tensor, a_sq: torch.Tensor,
              b: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances between the rows of ``a`` (squared norms
    ``a_sq``) and the rows of ``b``: (len(a), len(b))."""
    b_sq = (b * b).sum(1)
    d2 = a_sq[:, None] - 2 * (a @ b.T) + b_sq[None]
    rows, cols = torch.nonzero(
        d2 < NEAR * (a_sq[:, None] + b_sq[None]), as_tuple=True)
    d2[rows, cols] = ((a[rows] - b[cols])**2).sum(1)
    return d2.clamp_(min=0)


def kcenter_greedy(candidates: np.ndarray,
                   labelled: np.ndarray,
                   k: int,
                   device: Optional[str] = None) -> tuple:
    """Core-Set's k-center greedy (Sener & Savarese, 2018) on feature vectors.

    Repeatedly picks the candidate farthest (Euclidean) from the labelled set
    and the candidates picked so far; ties go to the lower index. One
    matrix-vector product per pick (features centred on the candidates' mean,
    float64), the labelled set in blocks of at most ``BLOCK`` distances:
    memory O(N x D + BLOCK), on the GPU when there is one.

    Args:
        candidates (np.ndarray): (N, D) features of the unlabelled candidates.
        labelled (np.ndarray): (M, D) features of the labelled images (M may be
            0).
        k (int): How many to pick.
        device (str, optional): Where to compute. Defaults to None:
            :func:`compute_device`.

    Returns:
        tuple: ``(indices, min_dist)``: the picked candidate indices in pick
        order, and each candidate's distance to the labelled set before
        picking (its score; inf when nothing is labelled), a NumPy array.
    """
    check_k(k, len(candidates))
    device = device or compute_device()
    cand = torch.as_tensor(np.asarray(candidates, np.float64), device=device)
    lab = torch.as_tensor(
        np.asarray(labelled, np.float64),
        device=device).reshape(-1, cand.shape[1])
    for name, x in (('candidates', cand), ('labelled', lab)):
        bad = int((~torch.isfinite(x)).any(1).sum())
        if bad:
            raise ValueError(f'k-center greedy: {bad} {name} have features '
                             'that are not finite (NaN or inf)')
    centre = cand.mean(0) if len(cand) else 0.0
    cand = (cand - centre).contiguous()
    sq = (cand * cand).sum(1)
    min_d2 = torch.full((len(cand), ),
                        float('inf'),
                        dtype=torch.float64,
                        device=device)
    lab = lab - centre
    chunk = max(1, BLOCK // max(1, len(cand)))
    for start in range(0, len(lab), chunk):
        block = _sq_dists(cand, sq, lab[start:start + chunk]).min(1).values
        torch.minimum(min_d2, block, out=min_d2)
    initial = min_d2.sqrt().cpu().numpy()
    picked: List[int] = []
    for _ in range(k):
        # the first index within TIE of the largest (argmax: first maximum)
        i = int((min_d2 >= min_d2.max() * (1 - TIE)).byte().argmax())
        picked.append(i)
        torch.minimum(
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

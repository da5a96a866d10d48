from typing import List, Optional

import numpy as np
import torch

from ...registry import PICKERS
from .base import BasePicker, check_k


def boundary_distances(logits: torch.Tensor,
                       weight: torch.Tensor,
                       valid: Optional[torch.Tensor] = None) -> torch.Tensor:
    """BASE's distance of an image's last-layer features to each class's
    decision boundary (Emam et al., 2021, as the authors' ``compute_margins``
    computes it): for predicted class p and class c, ``(z_p - z_c) / ||w_p -
    w_c||`` (logits z with the bias, the last layer's weight rows w); for c =
    p the distance to the nearest boundary of any class.

    For a classifier ``logits`` is (C,); for segmentation (C, h, w), the
    distances are computed per pixel and averaged over the pixels (those
    where ``valid`` is True).

    Args:
        logits (torch.Tensor): The last layer's output.
        weight (torch.Tensor): Its (C, D) weights.
        valid (torch.Tensor, optional): (h, w) pixels to count.

    Returns:
        torch.Tensor: (C,) distances, float64.
    """
    z = logits.double().reshape(logits.shape[0], -1)
    if valid is not None:
        z = z[:, valid.flatten().to(z.device)]
    w = weight.double().reshape(weight.shape[0], -1).to(z.device)
    gap = torch.cdist(w, w)  # ||w_i - w_j||
    pred = z.argmax(0)
    cols = torch.arange(z.shape[1], device=z.device)
    dist = (z[pred, cols][None] - z) / gap[pred].T  # (C, P)
    dist = torch.nan_to_num(dist, nan=float('inf'))
    dist[pred, cols] = float('inf')
    dist[pred, cols] = dist.min(0).values
    return dist.mean(1)


def base_pick(dist: np.ndarray, k: int) -> List[int]:
    """BASE's balanced selection: class c = 0, 1, ... takes its share
    (``k // C``, one more for the first ``k % C`` classes) of the rows
    closest to its boundary (``dist[:, c]``) not taken by an earlier class;
    ties to the lower row."""
    n, num_classes = dist.shape
    check_k(k, n)
    taken = np.zeros(n, bool)
    picked: List[int] = []
    for c in range(num_classes):
        share = k // num_classes + int(c < k % num_classes)
        if not share:
            continue
        d = np.where(taken, np.inf, dist[:, c])
        rows = np.argsort(d, kind='stable')[:share]
        picked += rows.tolist()
        taken[rows] = True
    return picked


@PICKERS.register_module()
class BASE(BasePicker):
    """BASE, balanced selection (Emam et al., "Active Learning at the
    ImageNet Scale", 2021): every class gets an equal share of the budget,
    filled with the candidates closest to that class's decision boundary of
    the previous cycle's model (:func:`boundary_distances`, pixel-averaged
    for segmentation; :func:`base_pick`). A candidate's score
    (``scores.csv``) is minus its smallest distance to any class's boundary
    (higher: nearer a boundary).
    """

    needs = ('boundary_distance', )

    def __call__(self, candidates, k):
        dist = np.asarray(candidates.boundary_distances, np.float64)
        picked = base_pick(dist, k)
        return [candidates.ids[i] for i in picked
                ], dict(zip(candidates.ids, (-dist.min(1)).tolist()))

from typing import List, Optional

import numpy as np
import torch

from ...registry import PICKERS
from .base import BasePicker, check_k, compute_device


def gradient_embedding(feat: torch.Tensor,
                       logits: torch.Tensor,
                       valid: Optional[torch.Tensor] = None) -> torch.Tensor:
    """BADGE's gradient embedding of one image: ``(onehot(y) - p) (x) h``, the
    (negated) gradient of the cross-entropy under the predicted label ``y``
    with respect to the last layer's weights, flattened class-major (C * D).

    For a classifier ``feat`` is the last layer's input (D,) and ``logits``
    its output (C,); for segmentation the 1x1 classifier's input (D, h, w)
    and output (C, h, w), and the embedding is the mean over pixels (those
    where ``valid`` (h, w) is True) of the pixel embeddings, as AL-SEG
    reduces BADGE for segmentation: ``R^T H / P`` with R the (P, C)
    residuals and H the (P, D) features.
    """
    probs = logits.float().softmax(0)
    resid = torch.zeros_like(probs).scatter_(0, probs.argmax(0, keepdim=True),
                                             1.0) - probs
    feat = feat.float()
    if feat.dim() == 1:
        return (resid[:, None] * feat[None]).flatten()
    resid, feat = resid.flatten(1), feat.flatten(1)
    if valid is not None:
        keep = valid.flatten().to(resid.device)
        resid, feat = resid[:, keep], feat[:, keep]
    return (resid @ feat.T / max(resid.shape[1], 1)).flatten()


def kmeanspp_seeding(x: np.ndarray, k: int, seed: int = 0) -> List[int]:
    """k-means++ seeding as BADGE's code runs it (Ash et al., ICLR 2020,
    ``init_centers``): the first centre is the row of largest norm, each next
    one is drawn with probability proportional to its squared distance to the
    nearest centre so far (chosen rows have distance 0). Where every row
    left coincides with a centre, the lowest unchosen index is taken (the
    authors' code stops there). Distances in float32 on the GPU when there
    is one; draws from a NumPy generator seeded ``seed``.

    Returns:
        list: ``k`` distinct row indices in pick order.
    """
    check_k(k, len(x))
    device = compute_device()
    rows = torch.as_tensor(np.asarray(x, np.float32), device=device)
    rng = np.random.default_rng(seed)
    chosen = [int(rows.norm(dim=1).argmax())]
    dist = torch.full((len(rows), ), float('inf'), device=device)
    while len(chosen) < k:
        dist = torch.minimum(dist, (rows - rows[chosen[-1]]).norm(dim=1))
        dist[chosen] = 0
        weight = dist.double().cpu().numpy()**2
        total = weight.sum()
        if total > 0:
            pick = int(rng.choice(len(rows), p=weight / total))
        else:
            taken = set(chosen)
            pick = next(i for i in range(len(rows)) if i not in taken)
        chosen.append(pick)
    return chosen


@PICKERS.register_module()
class BADGE(BasePicker):
    """BADGE (Ash et al., ICLR 2020): k-means++ seeding
    (:func:`kmeanspp_seeding`) on the candidates' gradient embeddings under
    the previous cycle's model (:func:`gradient_embedding`), so the batch is
    both uncertain (long embeddings) and diverse. A candidate's score
    (``scores.csv``) is its embedding's norm.

    Args:
        seed (int): Seed of the draws. Defaults to 0.
    """

    needs = ('gradient_embedding', )

    def __init__(self, seed: int = 0):
        self.seed = seed

    def __call__(self, candidates, k):
        emb = candidates.gradient_embeddings
        picked = kmeanspp_seeding(emb, k, self.seed)
        norms = np.linalg.norm(np.asarray(emb, np.float64), axis=1)
        return [candidates.ids[i]
                for i in picked], dict(zip(candidates.ids, norms.tolist()))

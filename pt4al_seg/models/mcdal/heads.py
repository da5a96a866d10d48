"""What both MCDAL models share: the settings and the discrepancy."""
from typing import List, Optional

from torch import Tensor


def mcdal_settings(cfg: Optional[dict]) -> dict:
    """``weight`` of the discrepancy term (the authors' code: 1)."""
    out = dict(weight=1.0)
    unknown = set(cfg or {}) - set(out)
    if unknown:
        raise ValueError(f'mcdal: unknown keys {sorted(unknown)} (weight)')
    out.update(cfg or {})
    return out


def discrepancy(a: Tensor, b: Tensor) -> Tensor:
    """Mean absolute difference of two logits' softmax, over samples, classes
    (and pixels), as the authors' code trains with (``torch.mean(torch.abs(
    o1.softmax(1) - o2.softmax(1)))``)."""
    return (a.float().softmax(1) - b.float().softmax(1)).abs().mean()


def three_way(aux: List[Tensor], main: Tensor) -> Tensor:
    """The training discrepancy on unlabelled images: between the two
    auxiliary classifiers and of each with the main one."""
    return discrepancy(aux[0], aux[1]) + discrepancy(
        aux[0], main) + discrepancy(aux[1], main)

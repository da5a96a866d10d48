"""What both MCDAL models share: the settings, the discrepancy and the split
of a training batch into labelled and unlabelled samples."""
from typing import List, Optional, Tuple

from torch import Tensor

from ..engine.hooks.unlabelled_batch_hook import UNLABELLED


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


def split_unlabelled(data_samples: List) -> Tuple[List[int], List[int]]:
    """Indices of the labelled and of the unlabelled samples of a batch."""
    unl = [
        i for i, s in enumerate(data_samples)
        if s.metainfo.get(UNLABELLED, False)
    ]
    return [i for i in range(len(data_samples)) if i not in unl], unl


def three_way(aux: List[Tensor], main: Tensor) -> Tensor:
    """The training discrepancy on unlabelled images: between the two
    auxiliary classifiers and of each with the main one."""
    return discrepancy(aux[0], aux[1]) + discrepancy(
        aux[0], main) + discrepancy(aux[1], main)

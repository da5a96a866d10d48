from typing import List

from ...registry import PICKERS
from .base import BasePicker, check_k


def every_nth(ids: List[str], k: int) -> List[str]:
    """Every N-th id of an ordered list, N = len(ids) // k (PT4AL's cycle 0:
    uniformly over the batch sorted by pretext loss).

    Args:
        ids (list): The ordered ids.
        k (int): How many to pick.

    Returns:
        list: ``ids[0], ids[N], ..., ids[(k - 1) * N]``.
    """
    if k <= 0:
        raise ValueError(f'k must be positive, got {k}')
    check_k(k, len(ids))
    step = len(ids) // k
    return [ids[j * step] for j in range(k)]


@PICKERS.register_module()
class EveryNth(BasePicker):
    """Every N-th candidate in candidate order: PT4AL's cold start, spread
    uniformly over the first batch sorted by pretext loss. Needs no model."""

    needs = ()

    def __call__(self, candidates, k):
        return every_nth(candidates.ids, k), None

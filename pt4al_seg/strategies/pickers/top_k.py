from typing import Dict, List

from ...registry import PICKERS
from ...utils.order import ids_by_score
from .base import BasePicker, check_k


def top_k(scores: Dict[str, float], k: int) -> List[str]:
    """The ``k`` highest-scoring ids, ties broken by id so that the choice is
    reproducible.

    Args:
        scores (dict): Image id to score (higher = picked first).
        k (int): How many to pick.

    Returns:
        list: The chosen ids, highest score first.
    """
    check_k(k, len(scores))
    return ids_by_score(scores)[:k]


@PICKERS.register_module()
class TopK(BasePicker):
    """The ``k`` candidates the query scores highest (ties by id)."""

    needs = ('score', )

    def __call__(self, candidates, k):
        return top_k(candidates.scores, k), None

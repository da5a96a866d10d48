"""Turn per-image scores into the chosen ids."""
from typing import Dict, List


def top_k(scores: Dict[str, float], k: int) -> List[str]:
    """The ``k`` highest-scoring ids, ties broken by id so that the choice is reproducible.

    Args:
        scores (dict): Image id to score (higher = picked first).
        k (int): How many to pick.

    Returns:
        list: The chosen ids, highest score first.
    """
    if k > len(scores):
        raise ValueError(f'cannot pick {k} images from {len(scores)} scored ones')
    return sorted(scores, key=lambda i: (-scores[i], i))[:k]

"""PT4AL's ranking of images into cycle batches by pretext loss."""
from typing import Dict, List

import numpy as np

from ..utils.order import ids_by_score


def rank_into_batches(losses: Dict[str, float],
                      num_batches: int,
                      descending: bool = True) -> List[List[str]]:
    """Sort images by pretext loss and split them into near-equal batches.

    The sort is numeric (the official PT4AL code sorts the loss strings, which
    puts ``'9.9e-05'`` above ``'0.5'``); ties are broken by image id. Batch
    sizes differ by at most one, the larger ones first, and together cover
    every image.

    Args:
        losses (dict): Image id to pretext loss.
        num_batches (int): Number of batches (one per active-learning cycle).
        descending (bool): Hardest (highest loss) first, as in the paper; False
            gives the ascending ablation. Defaults to True.

    Returns:
        list: ``num_batches`` lists of ids, batch 0 first.
    """
    if num_batches <= 0:
        raise ValueError(f'num_batches must be positive, got {num_batches}')
    if num_batches > len(losses):
        raise ValueError(
            f'cannot split {len(losses)} images into {num_batches} batches')
    order = np.array(ids_by_score(losses, descending))
    return [b.tolist() for b in np.array_split(order, num_batches)]

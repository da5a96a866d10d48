"""PT4AL's ranking of images into cycle batches by pretext loss."""
from typing import Dict, List

import numpy as np


def rank_into_batches(losses: Dict[str, float], num_batches: int,
                      descending: bool = True) -> List[List[str]]:
    """Sort images by pretext loss and split them into near-equal batches.

    The sort is numeric (the official PT4AL code sorts the loss strings, which puts
    ``'9.9e-05'`` above ``'0.5'``); ties are broken by image id. Batch sizes differ by at most
    one, the larger ones first, and together cover every image.

    Args:
        losses (dict): Image id to pretext loss.
        num_batches (int): Number of batches (one per active-learning cycle).
        descending (bool): Hardest (highest loss) first, as in the paper; False gives the
            ascending ablation. Defaults to True.

    Returns:
        list: ``num_batches`` lists of ids, batch 0 first.
    """
    if num_batches <= 0:
        raise ValueError(f'num_batches must be positive, got {num_batches}')
    if num_batches > len(losses):
        raise ValueError(f'cannot split {len(losses)} images into {num_batches} batches')
    sign = -1.0 if descending else 1.0
    order = sorted(losses, key=lambda i: (sign * float(losses[i]), i))
    return [list(b) for b in np.array_split(np.array(order, dtype=object), num_batches)]


def every_nth(batch: List[str], budget: int) -> List[str]:
    """Cycle 0's pick: every N-th image of the sorted batch, N = len(batch) // budget.

    Args:
        batch (list): Ids of batch 0, sorted by loss.
        budget (int): How many to pick.

    Returns:
        list: ``batch[0], batch[N], ..., batch[(budget - 1) * N]``.
    """
    if not 0 < budget <= len(batch):
        raise ValueError(f'budget {budget} must be in 1..{len(batch)} (the batch size)')
    step = len(batch) // budget
    return [batch[j * step] for j in range(budget)]

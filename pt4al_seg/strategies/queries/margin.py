from torch import Tensor

from ...registry import QUERIES
from .base import BaseQuery


@QUERIES.register_module()
class Margin(BaseQuery):
    """``1 - (p_top1 - p_top2)`` per pixel (small margin = uncertain),
    averaged."""

    def pixel_scores(self, probs: Tensor) -> Tensor:
        top2 = probs.topk(2, dim=1).values
        return 1 - (top2[:, 0] - top2[:, 1])

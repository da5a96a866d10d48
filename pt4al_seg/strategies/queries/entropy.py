from torch import Tensor

from ...registry import QUERIES
from .base import BaseQuery, entropy


@QUERIES.register_module()
class Entropy(BaseQuery):
    """Shannon entropy ``-sum_c p(c) log p(c)`` per pixel, averaged over valid
    pixels."""

    def pixel_scores(self, probs: Tensor) -> Tensor:
        return entropy(probs, dim=1)

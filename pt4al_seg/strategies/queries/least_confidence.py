from torch import Tensor

from ...registry import QUERIES
from .base import BaseQuery


@QUERIES.register_module()
class LeastConfidence(BaseQuery):
    """``1 - max_c p(c)`` per pixel, averaged over the image's valid pixels."""

    def pixel_scores(self, probs: Tensor) -> Tensor:
        return 1 - probs.max(dim=1).values

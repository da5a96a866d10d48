from torch import Tensor

from ..registry import SELECTORS
from .base import BaseSelector


@SELECTORS.register_module()
class Entropy(BaseSelector):
    """Shannon entropy ``-sum_c p(c) log p(c)`` per pixel, averaged over valid pixels."""

    def pixel_scores(self, probs: Tensor) -> Tensor:
        return -(probs * probs.clamp(min=1e-12).log()).sum(dim=1)

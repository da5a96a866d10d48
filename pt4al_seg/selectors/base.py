"""Shared pieces of the selectors: pixel reduction and the selector interface."""
from typing import Optional, Sequence

from torch import Tensor


def masked_mean(pixel_scores: Tensor, valid: Optional[Tensor] = None) -> Tensor:
    """Mean of per-pixel scores over the valid pixels of each image.

    Args:
        pixel_scores (Tensor): (B, H, W) scores.
        valid (Tensor, optional): (B, H, W) bool, True where a pixel counts (not padding,
            inside the region mask). None counts every pixel. Defaults to None.

    Returns:
        Tensor: (B,) per-image means; an image without valid pixels scores 0.
    """
    if valid is None:
        return pixel_scores.flatten(1).mean(1)
    valid = valid.to(pixel_scores.dtype)
    return (pixel_scores * valid).flatten(1).sum(1) / valid.flatten(1).sum(1).clamp(min=1)


class BaseSelector:
    """Turns class logits into one uncertainty score per image (higher = label first).

    Subclasses implement :meth:`pixel_scores`; classification logits (B, C) are treated as
    one-pixel images.
    """

    #: False for selectors that need no model output (random).
    needs_model = True

    def pixel_scores(self, probs: Tensor) -> Tensor:
        """(B, C, H, W) softmax probabilities to (B, H, W) per-pixel scores."""
        raise NotImplementedError

    def __call__(self, logits: Tensor, valid: Optional[Tensor] = None) -> Tensor:
        """Score a batch.

        Args:
            logits (Tensor): (B, C, H, W) or (B, C) class logits, any float dtype.
            valid (Tensor, optional): (B, H, W) bool mask of pixels to average over.
                Defaults to None (all).

        Returns:
            Tensor: (B,) float32 scores on the logits' device.
        """
        if logits.dim() == 2:
            logits = logits[:, :, None, None]
        probs = logits.float().softmax(dim=1)
        return masked_mean(self.pixel_scores(probs), valid)

    def score_ids(self, ids: Sequence[str]) -> list:
        """Scores from image ids alone, for selectors with ``needs_model = False``."""
        raise NotImplementedError(f'{type(self).__name__} needs model outputs')

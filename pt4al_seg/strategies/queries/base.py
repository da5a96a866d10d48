"""What every query shares: the pixel reduction and the query interface."""
from typing import Optional, Sequence

import torch
from torch import Tensor


def masked_mean(pixel_scores: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
    """Mean of per-pixel scores over the valid pixels of each image.

    Args:
        pixel_scores (Tensor): (B, H, W) scores.
        valid (Tensor, optional): (B, H, W) bool, True where a pixel counts
            (not padding, inside the region mask). None counts every pixel.
            Defaults to None.

    Returns:
        Tensor: (B,) per-image means; an image without valid pixels scores 0.
    """
    if valid is None:
        return pixel_scores.flatten(1).mean(1)
    valid = valid.to(pixel_scores.dtype)
    return (pixel_scores *
            valid).flatten(1).sum(1) / valid.flatten(1).sum(1).clamp(min=1)


class BaseQuery:
    """Turns a model's outputs into one score per image (higher = label first).

    The query part of a strategy (its picker, ``pt4al_seg.strategies.pickers``,
    turns the scores into the chosen ids). Subclasses implement
    :meth:`pixel_scores` on softmax probabilities; classification logits (B, C)
    are treated as one-pixel images. A query that needs no model sets
    ``needs_model = False`` and implements :meth:`score_ids`; one that reads
    another model output overrides :meth:`score_sample`.
    """

    #: False for queries that score ids alone (random).
    needs_model = True
    #: the model type (or a subclass) whose outputs the query reads, when
    #: mmseg's own models do not give them (e.g. Learning Loss's module)
    model_type = None

    def pixel_scores(self, probs: Tensor) -> Tensor:
        """(B, C, H, W) softmax probabilities to (B, H, W) per-pixel scores."""
        raise NotImplementedError

    def __call__(self,
                 logits: Tensor,
                 valid: Optional[Tensor] = None) -> Tensor:
        """Score a batch.

        Args:
            logits (Tensor): (B, C, H, W) or (B, C) class logits, any float
                dtype.
            valid (Tensor, optional): (B, H, W) bool mask of pixels to average
                over. Defaults to None (all).

        Returns:
            Tensor: (B,) float32 scores on the logits' device.
        """
        if logits.dim() == 2:
            logits = logits[:, :, None, None]
        probs = logits.float().softmax(dim=1)
        return masked_mean(self.pixel_scores(probs), valid)

    def score_sample(self, sample, valid: Optional[Tensor] = None) -> float:
        """One predicted sample's score from its ``seg_logits`` (mmseg's,
        padding already removed; a classifier's are the same at every
        pixel).

        Args:
            sample: A data sample returned by the model's ``test_step``.
            valid (Tensor, optional): (H, W) bool mask of pixels that count.
                Defaults to None.
        """
        return self(
            sample_logits(sample)[None],
            None if valid is None else valid[None]).item()

    def score_ids(self, ids: Sequence[str]) -> list:
        """Scores from image ids alone, for queries with ``needs_model =
        False``."""
        raise NotImplementedError(f'{type(self).__name__} needs model outputs')


class StackedQuery(BaseQuery):
    """A query on S probability maps per image (Monte-Carlo dropout samples,
    a committee's members): :meth:`stack_pixel_scores` reduces them per
    pixel, then the valid pixels are averaged as by every query."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        """(S, B, C, H, W) probabilities to (B, H, W) per-pixel scores."""
        raise NotImplementedError

    def __call__(self,
                 probs: Tensor,
                 valid: Optional[Tensor] = None) -> Tensor:
        """(S, B, C, H, W) or (S, B, C) probabilities to (B,) scores."""
        if probs.dim() == 3:
            probs = probs[..., None, None]
        return masked_mean(self.stack_pixel_scores(probs.float()), valid)


def entropy(probs: Tensor, dim: int) -> Tensor:
    """Shannon entropy (nats) along ``dim``, with 0 log 0 = 0."""
    return -(probs * probs.clamp(min=1e-12).log()).sum(dim=dim)


def sample_logits(sample) -> Tensor:
    """A predicted sample's class logits: mmseg's ``seg_logits`` (padding
    removed, original size)."""
    return sample['seg_logits']['data']


def region_valid(mask: Optional[Tensor], shape: tuple,
                 device) -> Optional[Tensor]:
    """A fixed region mask (H0, W0 bool) resized to ``shape`` by nearest
    neighbour."""
    if mask is None:
        return None
    resized = torch.nn.functional.interpolate(
        mask[None, None].float(), size=shape, mode='nearest')
    return resized[0, 0].bool().to(device)

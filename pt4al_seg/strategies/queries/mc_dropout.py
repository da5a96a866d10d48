"""Bayesian uncertainty from Monte-Carlo dropout (Gal et al., 2017): T
stochastic forward passes with the model's dropout active
(:class:`~pt4al_seg.engine.score_loop.ScoreLoop` runs them as one batched
forward and attaches each image's ``mc_probs``, (T, C, H, W) softmax
probabilities), reduced per pixel, then averaged over the image's valid pixels
as every query is."""
from typing import Optional

from torch import Tensor

from ...registry import QUERIES
from .base import StackedQuery, entropy


class MCDropoutQuery(StackedQuery):
    """A query on T Monte-Carlo dropout samples.

    Args:
        mc_samples (int): T, the stochastic forward passes per image.
            Defaults to 10.
    """

    def __init__(self, mc_samples: int = 10):
        if int(mc_samples) < 2:
            raise ValueError(
                f'mc_samples must be at least 2, got {mc_samples}')
        self.mc_samples = int(mc_samples)

    def score_sample(self, sample, valid: Optional[Tensor] = None) -> float:
        if 'mc_probs' not in sample:
            raise RuntimeError(
                f'{type(self).__name__} scores the Monte-Carlo dropout '
                'samples that ScoreLoop attaches (mc_probs); this sample has '
                'none')
        probs = sample['mc_probs']
        return self(probs[:, None],
                    None if valid is None else valid[None]).item()


@QUERIES.register_module()
class BALD(MCDropoutQuery):
    """Mutual information between the prediction and the model (Houlsby et
    al., 2011; Gal et al., 2017): ``H[mean_t p_t] - mean_t H[p_t]`` per pixel:
    0 when the T samples agree, log C at most (one-hot samples spread evenly
    over the C classes)."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        # >= 0 (Jensen); clamped where float rounding dips below
        return (entropy(probs.mean(0), dim=1) -
                entropy(probs, dim=2).mean(0)).clamp(min=0)


@QUERIES.register_module()
class VariationRatio(MCDropoutQuery):
    """``1 - f / T`` per pixel (Freeman, 1965; Gal et al., 2017), f the number
    of the T samples whose arg-max is the modal class (lowest class index on
    ties)."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        t, _, c = probs.shape[:3]
        return 1 - max_votes(probs.argmax(2), c).float() / t


def max_votes(votes: Tensor, num_classes: int) -> Tensor:
    """(T, B, H, W) class votes to (B, H, W) counts of the modal class."""
    best = (votes == 0).sum(0)
    for k in range(1, num_classes):
        best = best.maximum((votes == k).sum(0))
    return best


@QUERIES.register_module()
class MeanStd(MCDropoutQuery):
    """Mean over classes of the standard deviation of the class probability
    over the T samples (Kampffmeyer et al., 2016; Gal et al., 2017): the
    population deviation, ``sqrt(mean_t p^2 - (mean_t p)^2)``."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        return probs.std(0, correction=0).mean(1)

from ..registry import SELECTORS
from .base import BaseSelector


@SELECTORS.register_module()
class PredictedLoss(BaseSelector):
    """Learning Loss: an image's score is the loss its model's loss-prediction module
    predicts (``pred_loss``, see ``pt4al_seg.learning_loss``); it reads no logits."""

    #: The data-sample field the scoring metric takes the score from.
    field = 'pred_loss'

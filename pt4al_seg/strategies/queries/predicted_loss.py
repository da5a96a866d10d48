from typing import Optional

from torch import Tensor

from ...registry import QUERIES
from .base import BaseQuery


@QUERIES.register_module()
class PredictedLoss(BaseQuery):
    """Learning Loss: an image's score is the loss its model's loss-prediction
    module predicts (``pred_loss``, see
    ``pt4al_seg.models.learning_loss``); it reads no logits."""

    model_type = 'LossPredictionEncoderDecoder'

    def score_sample(self, sample, valid: Optional[Tensor] = None) -> float:
        return float(sample['pred_loss'])

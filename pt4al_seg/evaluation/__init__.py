from .constant_baseline import constant_prediction_miou
from .image_scores import PretextLossMetric, UncertaintyScoreMetric, image_id

__all__ = ['constant_prediction_miou', 'PretextLossMetric', 'UncertaintyScoreMetric', 'image_id']

from .constant_baseline import constant_prediction_miou
from .image_scores import (PretextLossMetric, TaskLossMetric, UncertaintyScoreMetric,
                           image_id)

__all__ = ['constant_prediction_miou', 'PretextLossMetric', 'TaskLossMetric', 'UncertaintyScoreMetric', 'image_id']

from .cls_accuracy import ClsAccuracy
from .constant_baseline import constant_prediction_miou
from .image_metric import ImageValueMetric
from .loss_ranking import LossRankingMetric, ranking_accuracy
from .pretext_loss import PretextLossMetric
from .strategy_outputs import StrategyOutputsMetric, predicted_class
from .task_loss import TaskLossMetric

__all__ = [
    'ClsAccuracy', 'constant_prediction_miou', 'ImageValueMetric',
    'PretextLossMetric', 'StrategyOutputsMetric', 'TaskLossMetric',
    'predicted_class', 'LossRankingMetric', 'ranking_accuracy'
]

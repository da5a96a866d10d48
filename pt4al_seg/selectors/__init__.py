from .base import BaseSelector, masked_mean
from .entropy import Entropy
from .least_confidence import LeastConfidence
from .margin import Margin
from .pick import class_balanced, kcenter_greedy, top_k
from .predicted_loss import PredictedLoss
from .random import Random

__all__ = ['BaseSelector', 'masked_mean', 'LeastConfidence', 'Entropy', 'Margin', 'Random',
           'PredictedLoss', 'top_k', 'class_balanced', 'kcenter_greedy']

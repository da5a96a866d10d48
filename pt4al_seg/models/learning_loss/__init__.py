"""Learning Loss (Yoo & Kweon, 2019) as a baseline strategy for both families.
"""
from .classifier import LossPredictionClassifier
from .module import LossPredictionModule, ranking_loss
from .segmentor import LossPredictionEncoderDecoder

__all__ = [
    'LossPredictionClassifier', 'LossPredictionEncoderDecoder',
    'LossPredictionModule', 'ranking_loss'
]

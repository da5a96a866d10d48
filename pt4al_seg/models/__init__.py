"""Every model of the package: the pretext tasks, the task models of the
classification family and the strategies' models (Learning Loss, MCDAL,
VAAL), with the helpers they share. Nothing here imports the engine."""
from .classifier import ImageClassifier
from .learning_loss import (LossPredictionClassifier,
                            LossPredictionEncoderDecoder)
from .mcdal import MCDALClassifier, MCDALEncoderDecoder
from .pretexts import (BasePretext, ColorizationPretext, JigsawPretext,
                       RotationPretext, SimSiamPretext)
from .resnet_cifar import ResNetCIFAR
from .vaal import VAALClassifier, VAALEncoderDecoder

__all__ = [
    'ImageClassifier', 'LossPredictionClassifier',
    'LossPredictionEncoderDecoder', 'MCDALClassifier', 'MCDALEncoderDecoder',
    'BasePretext', 'ColorizationPretext', 'JigsawPretext', 'RotationPretext',
    'SimSiamPretext', 'ResNetCIFAR', 'VAALClassifier', 'VAALEncoderDecoder'
]

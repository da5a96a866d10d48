"""Every model of the package: the pretext tasks, the classification
family's head and backbone, and the strategies' models (Learning Loss, MCDAL,
VAAL), with the helpers they share. Nothing here imports the engine."""
from .classifier import ImageClsHead
from .learning_loss import LossPredictionEncoderDecoder
from .mcdal import MCDALEncoderDecoder
from .pretexts import (BasePretext, ColorizationPretext, JigsawPretext,
                       RotationPretext, SimSiamPretext)
from .resnet_cifar import ResNetCIFAR
from .vaal import VAALEncoderDecoder

__all__ = [
    'ImageClsHead', 'LossPredictionEncoderDecoder', 'MCDALEncoderDecoder',
    'BasePretext', 'ColorizationPretext', 'JigsawPretext', 'RotationPretext',
    'SimSiamPretext', 'ResNetCIFAR', 'VAALEncoderDecoder'
]

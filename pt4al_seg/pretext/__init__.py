from .base import BasePretext
from .colorization import ColorizationPretext
from .jigsaw import JigsawPretext
from .rotation import RotationPretext
from .simsiam import SimSiamPretext
from .transforms import PackColorizationInputs, SplitLab

__all__ = [
    'BasePretext', 'ColorizationPretext', 'JigsawPretext', 'RotationPretext',
    'SimSiamPretext', 'PackColorizationInputs', 'SplitLab'
]

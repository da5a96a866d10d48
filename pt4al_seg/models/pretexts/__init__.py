from .base import BasePretext
from .colorization import ColorizationPretext
from .jigsaw import JigsawPretext
from .rotation import RotationPretext
from .simsiam import SimSiamPretext

__all__ = [
    'BasePretext', 'ColorizationPretext', 'JigsawPretext', 'RotationPretext',
    'SimSiamPretext'
]

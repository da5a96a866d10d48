from .base import BasePretext
from .colorization import ColorizationPretext
from .jigsaw import JigsawPretext
from .rotation import RotationPretext
from .transforms import PackColorizationInputs, SplitLab

__all__ = [
    'BasePretext', 'ColorizationPretext', 'JigsawPretext', 'RotationPretext',
    'PackColorizationInputs', 'SplitLab'
]

from .base import BasePretext
from .colorization import ColorizationPretext
from .rotation import RotationPretext
from .transforms import PackColorizationInputs, SplitLab

__all__ = [
    'BasePretext', 'ColorizationPretext', 'RotationPretext',
    'PackColorizationInputs', 'SplitLab'
]

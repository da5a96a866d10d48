from .base import NEEDS, BasePicker, Candidates
from .class_balanced import ClassBalanced, class_balanced
from .every_nth import EveryNth, every_nth
from .k_center import KCenterGreedy, kcenter_greedy
from .top_k import TopK, top_k

__all__ = [
    'NEEDS', 'BasePicker', 'Candidates', 'TopK', 'top_k', 'ClassBalanced',
    'class_balanced', 'KCenterGreedy', 'kcenter_greedy', 'EveryNth',
    'every_nth'
]

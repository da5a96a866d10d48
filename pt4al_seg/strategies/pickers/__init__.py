from .badge import BADGE, gradient_embedding, kmeanspp_seeding
from .base import NEEDS, BasePicker, Candidates
from .base_balanced import BASE, base_pick, boundary_distances
from .class_balanced import ClassBalanced, class_balanced
from .every_nth import EveryNth, every_nth
from .gcn import CoreGCN, UncertainGCN, train_gcn
from .k_center import KCenterGreedy, kcenter_greedy
from .prob_cover import ProbCover, prob_cover_pick, purity_delta
from .top_k import TopK, top_k
from .typiclust import TypiClust, typicality, typiclust_pick

__all__ = [
    'NEEDS', 'BasePicker', 'Candidates', 'TopK', 'top_k', 'ClassBalanced',
    'class_balanced', 'KCenterGreedy', 'kcenter_greedy', 'EveryNth',
    'every_nth', 'TypiClust', 'typiclust_pick', 'typicality', 'ProbCover',
    'prob_cover_pick', 'purity_delta', 'BADGE', 'gradient_embedding',
    'kmeanspp_seeding', 'BASE', 'base_pick', 'boundary_distances', 'CoreGCN',
    'UncertainGCN', 'train_gcn'
]

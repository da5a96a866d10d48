"""Active-learning hooks: called by the runner at the stages of the method,
one job each."""
from .adopt_pretext_hook import AdoptPretextHook
from .al_hook import ALHook, build_al_hooks
from .committee_hook import CommitteeHook
from .embedding_hook import EmbeddingHook
from .h1_hook import H1Hook
from .pretext_batch_hook import PretextBatchHook
from .unlabelled_data_hook import UnlabelledDataHook

__all__ = [
    'AdoptPretextHook', 'ALHook', 'build_al_hooks', 'CommitteeHook',
    'EmbeddingHook', 'H1Hook', 'PretextBatchHook', 'UnlabelledDataHook'
]

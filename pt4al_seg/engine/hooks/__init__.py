"""Active-learning hooks: called by the runner at the stages of the method."""
from .al_hook import ALHook, build_al_hooks
from .committee_hook import CommitteeHook
from .pretext_batch_hook import PretextBatchHook
from .unlabelled_data_hook import UnlabelledDataHook

__all__ = [
    'ALHook', 'build_al_hooks', 'CommitteeHook', 'PretextBatchHook',
    'UnlabelledDataHook'
]

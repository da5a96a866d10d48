from .al_hook import ALHook, build_al_hooks
from .model_saver_hook import FinalModelHook, drop_iter_checkpoints
from .pretext_batch_hook import PretextBatchHook
from .progress_hook import ScoreProgressHook

__all__ = [
    'ALHook', 'build_al_hooks', 'FinalModelHook', 'PretextBatchHook',
    'ScoreProgressHook', 'drop_iter_checkpoints'
]

from .al_hook import ALHook, build_al_hooks
from .committee_hook import CommitteeHook
from .model_saver_hook import FinalModelHook, drop_iter_checkpoints
from .phase_progress_hook import PhaseProgressHook
from .pretext_batch_hook import PretextBatchHook
from .snapshot_hook import SnapshotHook
from .unlabelled_batch_hook import UnlabelledBatchHook, UnlabelledDataHook

__all__ = [
    'ALHook', 'build_al_hooks', 'FinalModelHook', 'PretextBatchHook',
    'PhaseProgressHook', 'drop_iter_checkpoints', 'CommitteeHook',
    'SnapshotHook', 'UnlabelledBatchHook', 'UnlabelledDataHook'
]

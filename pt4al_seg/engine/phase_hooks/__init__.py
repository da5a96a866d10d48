"""mmengine hooks the active-learning runner registers in its phase Runners."""
from .final_model_hook import (FinalModelHook, drop_iter_checkpoints,
                               save_weights)
from .progress_hook import PhaseProgressHook
from .snapshot_hook import SnapshotHook
from .unlabelled_batch_hook import UnlabelledBatchHook

__all__ = [
    'FinalModelHook', 'drop_iter_checkpoints', 'save_weights',
    'PhaseProgressHook', 'SnapshotHook', 'UnlabelledBatchHook'
]

import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class FinalModelHook(Hook):
    """After training: the final weights as ``<work_dir>/model.pth`` (written
    to a temporary name by every rank's ``save_checkpoint``, renamed by rank
    0), then the iteration/epoch checkpoints are dropped: they only serve to
    resume an unfinished phase.
    """

    # after CheckpointHook has written its last checkpoint
    priority = 'VERY_LOW'

    def after_train(self, runner) -> None:
        save_weights(runner, 'model.pth')
        if is_main_process():
            drop_iter_checkpoints(runner.work_dir)


def save_weights(runner, name: str, within_iter: bool = False) -> None:
    """The model's weights as ``<work_dir>/<name>`` (no optimizer state),
    written to a temporary name by every rank's ``save_checkpoint`` and renamed
    by rank 0: the file is whole or absent. ``within_iter``: called after an
    iteration, before the loop counts it (the ``meta`` then records it)."""
    runner.save_checkpoint(
        runner.work_dir,
        f'{name}.tmp',
        save_optimizer=False,
        save_param_scheduler=False,
        by_epoch=not within_iter)
    if is_main_process():
        os.replace(
            osp.join(runner.work_dir, f'{name}.tmp'),
            osp.join(runner.work_dir, name))


def drop_iter_checkpoints(run_dir: str) -> None:
    """Remove a phase's training checkpoints (rank 0 calls it)."""
    for name in os.listdir(run_dir):
        if (name.startswith(('iter_', 'epoch_')) and name.endswith('.pth')) \
                or name == 'last_checkpoint':
            os.remove(osp.join(run_dir, name))

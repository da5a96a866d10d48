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
        runner.save_checkpoint(
            runner.work_dir,
            'model.pth.tmp',
            save_optimizer=False,
            save_param_scheduler=False)
        if is_main_process():
            os.replace(
                osp.join(runner.work_dir, 'model.pth.tmp'),
                osp.join(runner.work_dir, 'model.pth'))
            drop_iter_checkpoints(runner.work_dir)


def drop_iter_checkpoints(run_dir: str) -> None:
    """Remove a phase's training checkpoints (rank 0 calls it)."""
    for name in os.listdir(run_dir):
        if (name.startswith(('iter_', 'epoch_')) and name.endswith('.pth')) \
                or name == 'last_checkpoint':
            os.remove(osp.join(run_dir, name))

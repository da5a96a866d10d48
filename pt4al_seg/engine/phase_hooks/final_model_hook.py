import os
import os.path as osp
import time

import mmengine
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from ...utils.checkpoint import save_weights as save_weights_file


@HOOKS.register_module()
class FinalModelHook(Hook):
    """After training: the final weights as ``<work_dir>/model.pth``
    (:func:`save_weights`), then the iteration/epoch checkpoints are dropped:
    they only serve to resume an unfinished phase.
    """

    # after CheckpointHook has written its last checkpoint
    priority = 'VERY_LOW'

    def after_train(self, runner) -> None:
        save_weights(runner, 'model.pth')
        if is_main_process():
            drop_iter_checkpoints(runner.work_dir)


def save_weights(runner, name: str, within_iter: bool = False) -> None:
    """The model's weights as ``<work_dir>/<name>``, by rank 0, whole or
    absent: tensors and plain values only (mmengine's ``meta``, no optimizer
    and no message hub), so any ``torch.load`` reads it weights-only.
    ``within_iter``: called after an iteration, before the loop counts it
    (the ``meta`` then records it, as mmengine's ``save_checkpoint`` does).
    """
    if not is_main_process():
        return
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    meta = dict(
        epoch=runner.epoch if within_iter else runner.epoch + 1,
        iter=runner.iter + 1 if within_iter else runner.iter,
        cfg=runner.cfg.pretty_text,
        seed=runner.seed,
        experiment_name=runner.experiment_name,
        time=time.strftime('%Y%m%d_%H%M%S', time.localtime()),
        mmengine_version=mmengine.__version__)
    dataset = getattr(runner.train_dataloader, 'dataset', None)
    if hasattr(dataset, 'metainfo'):
        meta['dataset_meta'] = dataset.metainfo
    save_weights_file(
        osp.join(runner.work_dir, name), model.state_dict(), meta)


def drop_iter_checkpoints(run_dir: str) -> None:
    """Remove a phase's training checkpoints (rank 0 calls it)."""
    for name in os.listdir(run_dir):
        if (name.startswith(('iter_', 'epoch_')) and name.endswith('.pth')) \
                or name == 'last_checkpoint':
            os.remove(osp.join(run_dir, name))

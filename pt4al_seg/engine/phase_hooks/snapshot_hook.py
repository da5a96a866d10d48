from typing import Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from .final_model_hook import save_weights


def snapshot_name(k: int) -> str:
    """The weights k intervals before the end of a training."""
    return f'snapshot_{k}.pth'


START = 'snapshot_start.pth'


@HOOKS.register_module()
class SnapshotHook(Hook):
    """Keeps weights of a training besides its final ones (a committee of
    snapshots, TOD's earlier model): ``snapshot_<k>.pth`` with the weights
    ``k * interval`` iterations before the end, k = 1..``count``, and with
    ``start`` the weights training started from (``snapshot_start.pth``).
    Each is written once, whole (:func:`save_weights`); a training resumed
    from a checkpoint writes those still ahead of it.

    Args:
        count (int): Snapshots before the end. Defaults to 0.
        interval (int, optional): Iterations between them. Defaults to None (a
            tenth of the training's iterations).
        start (bool): Keep the starting weights. Defaults to False.
    """

    priority = 'LOW'

    def __init__(self,
                 count: int = 0,
                 interval: Optional[int] = None,
                 start: bool = False):
        self.count, self.interval, self.start = count, interval, start
        self.at: dict = {}

    def before_train(self, runner) -> None:
        interval = snapshot_interval(self.interval, runner.max_iters)
        if self.count * interval >= runner.max_iters:
            raise ValueError(
                f'{self.count} snapshots {interval} iterations apart need '
                f'more than the {runner.max_iters} iterations of training')
        self.at = {
            runner.max_iters - k * interval: snapshot_name(k)
            for k in range(1, self.count + 1)
        }
        if self.start and runner.iter == 0:
            save_weights(runner, START)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        name = self.at.get(runner.iter + 1)
        if name is not None:
            save_weights(runner, name, within_iter=True)


def snapshot_interval(interval: Optional[int], max_iters: int) -> int:
    """``interval``, or a tenth of ``max_iters`` (at least 1) when None."""
    return int(interval) if interval else max(1, max_iters // 10)

import sys

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar
from mmseg.registry import HOOKS


@HOOKS.register_module()
class PhaseProgressHook(Hook):
    """One progress bar per training or test loop of a phase (rank 0): the
    console's view of a phase whose log lines go to its log file."""

    priority = 'VERY_LOW'

    def __init__(self):
        self._bar = None

    def _start(self, total: int) -> None:
        self._bar = ProgressBar(total) if is_main_process() else None

    def _step(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def _end(self) -> None:
        if self._bar is not None:
            sys.stdout.write('\n')
            sys.stdout.flush()
        self._bar = None

    def before_train(self, runner) -> None:
        self._start(runner.train_loop.max_iters)

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        self._step()

    def after_train(self, runner) -> None:
        self._end()

    def before_test_epoch(self, runner) -> None:
        self._start(len(runner.test_dataloader))

    def after_test_iter(self,
                        runner,
                        batch_idx,
                        data_batch=None,
                        outputs=None) -> None:
        self._step()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._end()

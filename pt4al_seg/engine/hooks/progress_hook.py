from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ScoreProgressHook(Hook):
    """A progress bar over a scoring pass (rank 0)."""

    priority = 'VERY_LOW'

    def before_test_epoch(self, runner) -> None:
        self._bar = ProgressBar(len(
            runner.test_dataloader)) if is_main_process() else None

    def after_test_iter(self,
                        runner,
                        batch_idx,
                        data_batch=None,
                        outputs=None) -> None:
        if self._bar is not None:
            self._bar.update()

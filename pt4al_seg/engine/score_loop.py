import torch
from mmengine.dist import is_main_process
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from mmengine.utils import ProgressBar
from mmseg.registry import LOOPS


@LOOPS.register_module()
class ScoreLoop(TestLoop):
    """The test loop that scores images: optional bf16 autocast on GPU, a progress bar.

    Args:
        runner, dataloader, evaluator: As for ``TestLoop``.
        bf16 (bool): Run the model under bf16 autocast when on CUDA (ignored on CPU, where
            scores stay float32). Defaults to False.
        progress (bool): Show a progress bar (rank 0). Defaults to True.
    """

    def __init__(self, runner, dataloader, evaluator, bf16: bool = False,
                 progress: bool = True):
        super().__init__(runner, dataloader, evaluator)
        self.bf16 = bf16 and torch.cuda.is_available()
        self.progress = progress and is_main_process()
        self._bar = None

    @torch.no_grad()
    def run_iter(self, idx, data_batch) -> None:
        if idx == 0 and self.progress:
            self._bar = ProgressBar(len(self.dataloader))
        self.runner.call_hook('before_test_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.bf16, dtype=torch.bfloat16):
            outputs = self.runner.model.test_step(data_batch)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook('after_test_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)
        if self._bar is not None:
            self._bar.update()

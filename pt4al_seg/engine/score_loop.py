import torch
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from mmseg.registry import LOOPS


@LOOPS.register_module()
class ScoreLoop(TestLoop):
    """The test loop used for scoring images, with optional bf16 autocast on GPU.

    Args:
        runner, dataloader, evaluator: As for ``TestLoop``.
        bf16 (bool): Run the model under bf16 autocast when on CUDA (ignored on CPU, where
            scores stay float32). Defaults to False.
    """

    def __init__(self, runner, dataloader, evaluator, bf16: bool = False):
        super().__init__(runner, dataloader, evaluator)
        self.bf16 = bf16 and torch.cuda.is_available()

    @torch.no_grad()
    def run_iter(self, idx, data_batch) -> None:
        self.runner.call_hook('before_test_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.bf16, dtype=torch.bfloat16):
            outputs = self.runner.model.test_step(data_batch)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook('after_test_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)

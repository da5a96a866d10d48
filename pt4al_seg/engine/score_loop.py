import torch
import torch.nn.functional as F
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from mmseg.registry import LOOPS


@LOOPS.register_module()
class ScoreLoop(TestLoop):
    """The test loop that scores images: optional bf16 autocast, and
    optionally each image's pooled backbone feature.

    Args:
        runner, dataloader, evaluator: As for ``TestLoop``.
        bf16 (bool): Run the model under bf16 autocast, on the GPU when there
            is one, else on the CPU (the same code path; slower than float32
            on CPUs without bf16 units). Scores are computed from the logits
            in float32 either way. Defaults to False.
        features (bool): Attach ``pooled_feat`` (global average of the
            backbone's last output, captured by a forward hook; whole-image
            inference) to every output. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 bf16: bool = False,
                 features: bool = False):
        super().__init__(runner, dataloader, evaluator)
        self.bf16 = bf16
        self.device_type = 'cuda' if torch.cuda.is_available() else 'cpu'
        self.features = features
        self._feat = None

    def _capture(self, module, inputs, output) -> None:
        last = output[-1] if isinstance(output, (list, tuple)) else output
        self._feat = F.adaptive_avg_pool2d(last.float(), 1).flatten(1)

    @torch.no_grad()
    def run_iter(self, idx, data_batch) -> None:
        self.runner.call_hook(
            'before_test_iter', batch_idx=idx, data_batch=data_batch)
        handle = None
        if self.features:
            model = self.runner.model
            if is_model_wrapper(model):
                model = model.module
            handle = model.backbone.register_forward_hook(self._capture)
        with autocast(
                device_type=self.device_type,
                enabled=self.bf16,
                dtype=torch.bfloat16):
            outputs = self.runner.model.test_step(data_batch)
        if handle is not None:
            handle.remove()
            for sample, feat in zip(outputs, self._feat):
                sample.pooled_feat = feat
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(
            'after_test_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)

import copy
from contextlib import nullcontext
from typing import List, Optional

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, load_checkpoint
from mmengine.runner.amp import autocast
from mmseg.registry import LOOPS

from ..models.feature_taps import (attach_last_layer_io, last_layer_io,
                                   pooled_backbone_output)
from ..models.mc_dropout import (NO_DROPOUT, dropout_layers, last_layer,
                                 last_layer_probs, mc_probs, output_logits,
                                 per_image)
from ..utils.errors import UserError


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
            backbone's last output on its first call, captured by a forward
            hook; whole-image inference) to every output. Defaults to False.
        head_io (bool): Attach ``head_feat`` and ``head_logits``, the
            input and output of the model's last layer (see
            :mod:`last_layer_io`; BADGE's gradient embeddings). Defaults to
            False.
        members (list, optional): Checkpoints of the same model (a committee,
            an earlier model): each output gets ``member_probs``, its softmax
            maps under each of them (M, C, H, W), for this batch only.
            Defaults to None.

    When the metric's query asks for Monte-Carlo dropout samples
    (``mc_samples = T``, e.g. ``BALD``), each output gets ``mc_probs``: its T
    softmax maps (T, C, H, W) with the model's dropout active, at the output's
    size, for this batch only. Where the only dropout feeds the last layer
    (mmseg's decode heads, the classifier) only that layer runs again, on T
    copies of the features the plain pass fed it (nothing before it is
    random, so this is what T whole passes compute); otherwise the batch goes
    through the model again as one forward of T copies.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 bf16: bool = False,
                 features: bool = False,
                 members: Optional[List[str]] = None,
                 head_io: bool = False):
        super().__init__(runner, dataloader, evaluator)
        self.member_files = list(members or [])
        self.members: List[torch.nn.Module] = []
        self.bf16 = bf16
        self.device_type = 'cuda' if torch.cuda.is_available() else 'cpu'
        self.features, self.head_io = features, head_io
        self.mc_samples = max(
            (getattr(getattr(m, 'query', None), 'mc_samples', 0)
             for m in self.evaluator.metrics),
            default=0)
        self._dropout, self._last, self._drop_in = [], None, None
        if self.mc_samples:
            self._dropout = dropout_layers(self._model())
            if not self._dropout:
                raise UserError(NO_DROPOUT)
            self._last = last_layer(self._model(), self._dropout)

    def run(self) -> dict:
        # the members: copies of the model (weights loaded by now), each with
        # its checkpoint's weights
        self.members = []
        for path in self.member_files:
            member = copy.deepcopy(self._model())
            load_checkpoint(
                member, path, map_location='cpu', strict=True, logger='silent')
            self.members.append(member.eval())
        try:
            return super().run()
        finally:
            self.members = []

    def _model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def _capture_drop_input(self, module, inputs, output) -> None:
        self._drop_in = inputs[0]

    def _last_layer_io(self):
        return last_layer_io(self._model()) if self.head_io else nullcontext(
            {})

    def _pooled(self):
        return pooled_backbone_output(
            self._model()) if self.features else nullcontext({})

    def _autocast(self):
        return autocast(
            device_type=self.device_type,
            enabled=self.bf16,
            dtype=torch.bfloat16)

    def _mc(self, data_batch: dict, outputs: list) -> List[torch.Tensor]:
        """The Monte-Carlo samples of the batch: the last layer again on the
        features captured where possible, else whole passes."""
        with self._autocast():
            if self._last is not None:
                return last_layer_probs(self._model(), *self._last,
                                        self._drop_in, outputs,
                                        self.mc_samples)
            return mc_probs(self.runner.model, data_batch, self.mc_samples,
                            self._dropout)

    def _member_probs(self, data_batch: dict) -> List[torch.Tensor]:
        """Each image's (M, C, ...) probabilities under the M members."""
        flat = []
        with self._autocast():
            for member in self.members:
                flat.extend(map(output_logits, member.test_step(data_batch)))
        return per_image(flat, len(data_batch['data_samples']))

    @torch.no_grad()
    def run_iter(self, idx, data_batch) -> None:
        self.runner.call_hook(
            'before_test_iter', batch_idx=idx, data_batch=data_batch)
        handles = []
        if self._last is not None:
            handles.append(self._last[0].register_forward_hook(
                self._capture_drop_input))
        with self._autocast(), self._last_layer_io() as io, \
                self._pooled() as pooled:
            outputs = self.runner.model.test_step(data_batch)
        for handle in handles:
            handle.remove()
        if self.head_io:
            attach_last_layer_io(outputs, io)
        if self.features:
            for sample, feat in zip(outputs, pooled['feat']):
                sample.pooled_feat = feat
        if self.mc_samples:
            for sample, probs in zip(outputs, self._mc(data_batch, outputs)):
                sample.mc_probs = probs
        if self.members:
            for sample, probs in zip(outputs, self._member_probs(data_batch)):
                sample.member_probs = probs
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(
            'after_test_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)

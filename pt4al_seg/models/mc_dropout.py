"""Monte-Carlo dropout samples for the scoring passes (the queries of
``pt4al_seg/strategies/queries/mc_dropout.py``): T stochastic passes of a model
with its dropout active, each image's T softmax maps."""
import copy
from typing import List

import torch
from torch import nn

NO_DROPOUT = ('Monte-Carlo dropout needs dropout in the model: set '
              'model.decode_head.dropout_ratio > 0')


def dropout_layers(model: nn.Module) -> List[nn.Module]:
    """The model's dropout layers with a nonzero rate that run in a test
    (an mmseg auxiliary head only trains: its dropout does not count)."""
    aux = getattr(model, 'auxiliary_head', None)
    unused = {id(m) for m in aux.modules()} if aux is not None else set()
    return [
        m for m in model.modules()
        if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0
        and id(m) not in unused
    ]


def mc_probs(model: nn.Module, data_batch: dict, samples: int,
             dropout: List[nn.Module]) -> List[torch.Tensor]:
    """``samples`` stochastic passes of ``model`` over a batch, as one
    ``test_step`` of that many copies of it (independent dropout masks per
    copy; ``dropout``, the model's dropout layers, active only meanwhile):
    each image's (T, C, H, W) float32 softmax probabilities."""
    size = len(data_batch['data_samples'])
    inputs = data_batch['inputs']
    copies = dict(
        inputs=torch.cat([inputs] * samples)
        if torch.is_tensor(inputs) else list(inputs) * samples,
        data_samples=[
            copy.deepcopy(s) for _ in range(samples)
            for s in data_batch['data_samples']
        ])
    for layer in dropout:
        layer.train()
    try:
        outputs = model.test_step(copies)
    finally:
        for layer in dropout:
            layer.eval()
    return per_image([output_logits(o) for o in outputs], size)


def output_logits(output) -> torch.Tensor:
    """A ``test_step`` output's class logits, mmseg's ``seg_logits``."""
    return output.seg_logits.data


def per_image(logits: List[torch.Tensor], size: int) -> List[torch.Tensor]:
    """T x ``size`` logits in sample-major order (sample t of image i at
    ``t * size + i``) to each image's (T, C, ...) float32 probabilities."""
    return [
        torch.stack(logits[i::size]).float().softmax(dim=1)
        for i in range(size)
    ]


def last_layer(model: nn.Module, dropout: List[nn.Module]):
    """``(dropout, layer)`` when the model's only dropout feeds its last
    layer (mmseg's decode head, whole-image inference: ``dropout`` then
    ``conv_seg``): nothing before it is random, so the T passes need only
    that layer again. None otherwise."""
    head = getattr(model, 'decode_head', None)
    if isinstance(head, nn.Module) and hasattr(model, 'postprocess_result'):
        whole = (model.test_cfg or {}).get('mode', 'whole') == 'whole'
        drop = getattr(head, 'dropout', None)
        if whole and dropout == [drop] and hasattr(head, 'conv_seg'):
            return drop, head.conv_seg
    return None


def last_layer_probs(model: nn.Module, drop: nn.Module, layer: nn.Module,
                     feat: torch.Tensor, outputs: list,
                     samples: int) -> List[torch.Tensor]:
    """The T passes of :func:`mc_probs` from the features that entered
    ``drop`` on the deterministic pass: ``drop`` (active) and ``layer`` on T
    copies of them at once, then, one sample at a time, mmseg's own resizing
    and post-processing (padding removed, flips undone, original size) for
    segmentation, on metainfo-only samples."""
    size = len(outputs)
    drop.train()
    try:
        logits = layer(drop(torch.cat([feat] * samples)))
    finally:
        drop.eval()
    flat: List[torch.Tensor] = []
    for t in range(samples):
        part = logits[t * size:(t + 1) * size]
        flat.extend(
            postprocessed(model, part, outputs) if part.dim() == 4 else part)
    return per_image(flat, size)


def postprocessed(model: nn.Module, logits: torch.Tensor,
                  outputs: list) -> List[torch.Tensor]:
    """(B, C, h, w) logits of a decode head's last layer to each output's
    ``seg_logits`` as mmseg computes them (resized, padding removed, flips
    undone, original size), on metainfo-only samples."""
    shells = [type(o)(metainfo=o.metainfo) for o in outputs]
    logits = model.decode_head.predict_by_feat(logits,
                                               [o.metainfo for o in outputs])
    return [
        s.seg_logits.data for s in model.postprocess_result(logits, shells)
    ]

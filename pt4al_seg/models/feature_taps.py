"""Forward hooks that keep what a scoring pass needs besides the outputs: the
pooled backbone feature of each image, and what goes into and comes out of
the task model's last layer (BADGE's gradient embeddings are computed from
it)."""
import math
from contextlib import contextmanager
from typing import List

import torch.nn.functional as F
from torch import nn

NO_CLASSIFIER = ('gradient embeddings need the task model\'s last layer: '
                 'decode_head.conv_seg (mmseg, whole-image inference)')


@contextmanager
def pooled_backbone_output(model: nn.Module):
    """Yields a dict that gets ``feat``: the global average of the last output
    of the model's backbone on its first call meanwhile (B, D), float32 (for
    a rotation pretext: the unrotated batch; whole-image inference)."""
    captured = {}

    def keep(module, args, output):
        if 'feat' not in captured:
            last = output[-1] if isinstance(output, (list, tuple)) else output
            captured['feat'] = F.adaptive_avg_pool2d(last.float(),
                                                     1).flatten(1)

    handle = model.backbone.register_forward_hook(keep)
    try:
        yield captured
    finally:
        handle.remove()


def classifier_layer(model: nn.Module) -> nn.Module:
    """The layer whose weights gradient embeddings are taken for: mmseg's
    ``decode_head.conv_seg`` (whole-image inference: one call per image)."""
    head = getattr(model, 'decode_head', None)
    conv = getattr(head, 'conv_seg', None)
    if isinstance(conv, nn.Conv2d):
        if (model.test_cfg or {}).get('mode', 'whole') != 'whole':
            raise ValueError(f'{NO_CLASSIFIER}; set model.test_cfg.mode=whole')
        return conv
    raise ValueError(f'{NO_CLASSIFIER}; {type(model).__name__} has none')


@contextmanager
def last_layer_io(model: nn.Module):
    """Yields a dict that gets ``feat`` and ``logits``, the input and output
    of :func:`classifier_layer` in the forward run meanwhile, and its
    ``weight``."""
    captured = {}

    def keep(module, args, output):
        captured.update(feat=args[0], logits=output, weight=module.weight)

    handle = classifier_layer(model).register_forward_hook(keep)
    try:
        yield captured
    finally:
        handle.remove()


def attach_last_layer_io(outputs: List, captured: dict) -> None:
    """Give each output ``head_feat`` and ``head_logits`` (float32), its rows
    of ``captured``, and ``head_weight`` (C, D); feature maps are cut to the
    part the image covers in its padded batch (``img_shape`` of
    ``pad_shape``)."""
    for sample, feat, logits in zip(outputs, captured['feat'],
                                    captured['logits']):
        if feat.dim() == 3:
            img = sample.metainfo.get('img_shape')
            pad = sample.metainfo.get('pad_shape', img)
            if img is not None and pad is not None:
                h = math.ceil(feat.shape[1] * img[0] / pad[0])
                w = math.ceil(feat.shape[2] * img[1] / pad[1])
                feat, logits = feat[:, :h, :w], logits[:, :h, :w]
        sample.head_feat = feat.float()
        sample.head_logits = logits.float()
        sample.head_weight = captured['weight'].detach().flatten(1)

"""What goes into and comes out of a task model's last layer in a scoring pass
(BADGE's gradient embeddings are computed from it)."""
import math
from contextlib import contextmanager
from typing import List

from torch import nn

NO_CLASSIFIER = ('gradient embeddings need the task model\'s last layer: '
                 'decode_head.conv_seg (mmseg, whole-image inference) or a '
                 'linear head (the classifier)')


def classifier_layer(model: nn.Module) -> nn.Module:
    """The layer whose weights gradient embeddings are taken for: mmseg's
    ``decode_head.conv_seg`` (whole-image inference: one call per image), or
    the classifier's linear ``head``."""
    head = getattr(model, 'decode_head', None)
    conv = getattr(head, 'conv_seg', None)
    if isinstance(conv, nn.Conv2d):
        if (model.test_cfg or {}).get('mode', 'whole') != 'whole':
            raise ValueError(f'{NO_CLASSIFIER}; set model.test_cfg.mode=whole')
        return conv
    if isinstance(getattr(model, 'head', None), nn.Linear):
        return model.head
    raise ValueError(f'{NO_CLASSIFIER}; {type(model).__name__} has neither')


@contextmanager
def last_layer_io(model: nn.Module):
    """Yields a dict that gets ``feat`` and ``logits``, the input and output
    of :func:`classifier_layer` in the forward run meanwhile."""
    captured = {}

    def keep(module, args, output):
        captured.update(feat=args[0], logits=output)

    handle = classifier_layer(model).register_forward_hook(keep)
    try:
        yield captured
    finally:
        handle.remove()


def attach_last_layer_io(outputs: List, captured: dict) -> None:
    """Give each output ``head_feat`` and ``head_logits`` (float32), its rows
    of ``captured``; feature maps are cut to the part the image covers in
    its padded batch (``img_shape`` of ``pad_shape``)."""
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

"""MCDAL (Cho et al., 2021/2022): two auxiliary classifiers on the task
model's features, trained to agree with the labels and to disagree on the
unlabelled images; their discrepancy ranks the pool."""
from contextlib import contextmanager
from typing import List, Optional

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from torch import Tensor, nn

from .mc_dropout import postprocessed
from .unlabelled import split_unlabelled


def mcdal_settings(cfg: Optional[dict]) -> dict:
    """``weight`` of the discrepancy term (the authors' code: 1)."""
    out = dict(weight=1.0)
    unknown = set(cfg or {}) - set(out)
    if unknown:
        raise ValueError(f'mcdal: unknown keys {sorted(unknown)} (weight)')
    out.update(cfg or {})
    return out


def discrepancy(a: Tensor, b: Tensor) -> Tensor:
    """Mean absolute difference of two logits' softmax, over samples, classes
    (and pixels), as the authors' code trains with (``torch.mean(torch.abs(
    o1.softmax(1) - o2.softmax(1)))``)."""
    return (a.float().softmax(1) - b.float().softmax(1)).abs().mean()


def three_way(aux: List[Tensor], main: Tensor) -> Tensor:
    """The training discrepancy on unlabelled images: between the two
    auxiliary classifiers and of each with the main one."""
    return discrepancy(aux[0], aux[1]) + discrepancy(
        aux[0], main) + discrepancy(aux[1], main)


@MODELS.register_module()
class MCDALEncoderDecoder(EncoderDecoder):
    """mmseg's EncoderDecoder with MCDAL's two auxiliary classifiers: 1x1
    convolutions beside the decode head's ``conv_seg``, on the features that
    enter it, detached (no gradient of MCDAL reaches the task model's
    weights, as in the authors' code; its BatchNorm statistics do see the
    unlabelled images, which pass through it in training mode).

    Training batches hold labelled images and, from ``UnlabelledBatchHook``,
    unlabelled ones (metainfo ``unlabelled``). The task model trains on the
    labelled ones only (mmseg's losses, ``decode.*``); each auxiliary
    classifier adds the decode head's own loss on them (``loss_mcdal_ce``)
    and ``-weight`` x the discrepancy on the unlabelled ones
    (``loss_mcdal_disc``: mean absolute softmax difference between the two
    auxiliary classifiers and of each with the task model's prediction, per
    pixel; their features and that prediction computed without gradient, in
    training mode). Prediction attaches ``aux_logits`` (2, C, H, W) to each
    sample, resized and post-processed as ``seg_logits`` is (whole-image
    inference), what the ``MCDAL`` query scores.

    Args:
        mcdal (dict, optional): ``weight`` of the discrepancy (1.0).
        **kwargs: See ``EncoderDecoder``.
    """

    def __init__(self, mcdal: Optional[dict] = None, **kwargs):
        super().__init__(**kwargs)
        self.mcdal_cfg = mcdal_settings(mcdal)
        conv = self.decode_head.conv_seg
        self.mcdal_heads = nn.ModuleList(
            nn.Conv2d(conv.in_channels, conv.out_channels, 1)
            for _ in range(2))

    @contextmanager
    def _conv_seg_input(self):
        """Yields a dict that gets ``feat``, the input of the decode head's
        ``conv_seg`` in the forward run meanwhile."""
        captured = {}
        handle = self.decode_head.conv_seg.register_forward_pre_hook(
            lambda module, args: captured.__setitem__('feat', args[0]))
        try:
            yield captured
        finally:
            handle.remove()

    def _head(self, x) -> tuple:
        """The decode head's logits and the features its ``conv_seg`` got."""
        with self._conv_seg_input() as captured:
            logits = self.decode_head.forward(x)
        return logits, captured['feat']

    def _aux(self, feat: Tensor) -> List[Tensor]:
        return [head(feat.detach()) for head in self.mcdal_heads]

    def loss(self, inputs, data_samples) -> dict:
        lab, unl = split_unlabelled(data_samples)
        samples = [data_samples[i] for i in lab]
        x = self.extract_feat(inputs[lab])
        seg_logits, feat = self._head(x)
        losses = {
            f'decode.{k}': v
            for k, v in self.decode_head.loss_by_feat(seg_logits,
                                                      samples).items()
        }
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, samples))
        losses['loss_mcdal_ce'] = sum(
            v for a in self._aux(feat)
            for k, v in self.decode_head.loss_by_feat(a, samples).items()
            if k.startswith('loss'))
        if unl:
            with torch.no_grad():
                main_u, feat_u = self._head(self.extract_feat(inputs[unl]))
            losses['loss_mcdal_disc'] = -self.mcdal_cfg['weight'] * three_way(
                self._aux(feat_u), main_u)
        return losses

    def predict(self, inputs, data_samples=None):
        if (self.test_cfg or {}).get('mode', 'whole') != 'whole':
            raise RuntimeError('MCDAL needs whole-image inference '
                               '(test_cfg.mode=whole)')
        with self._conv_seg_input() as captured:
            results = super().predict(inputs, data_samples)
        per_head = [
            postprocessed(self, logits, results)
            for logits in self._aux(captured['feat'])
        ]
        for k, sample in enumerate(results):
            sample.aux_logits = torch.stack([h[k] for h in per_head]).float()
        return results

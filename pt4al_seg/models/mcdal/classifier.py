from typing import Optional

import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import nn

from ..classifier import ImageClassifier
from ..unlabelled import split_unlabelled
from .heads import mcdal_settings, three_way


@MODELS.register_module()
class MCDALClassifier(ImageClassifier):
    """``ImageClassifier`` with MCDAL's two auxiliary linear classifiers on the
    pooled features, detached (the authors' ``fc1``, ``fc2``); see
    :class:`MCDALEncoderDecoder` for the losses and ``mcdal``. Prediction
    attaches ``aux_logits`` (2, C)."""

    def __init__(self, *args, mcdal: Optional[dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mcdal_cfg = mcdal_settings(mcdal)
        self.mcdal_heads = nn.ModuleList(
            nn.Linear(self.head.in_features, self.head.out_features)
            for _ in range(2))

    def _aux(self, feat):
        return [head(feat.detach()) for head in self.mcdal_heads]

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode != 'loss':
            out = super().forward(inputs, data_samples, mode)
            if mode == 'predict':
                aux = self._aux(self.extract_feat(inputs))
                for k, sample in enumerate(out):
                    sample.aux_logits = torch.stack([a[k]
                                                     for a in aux]).float()
            return out
        lab, unl = split_unlabelled(data_samples)
        samples = [data_samples[i] for i in lab]
        feat = self.extract_feat(inputs[lab])
        logits = self.head(self.dropout(feat))
        labels = self._labels(samples, logits)
        losses = dict(
            loss=F.cross_entropy(logits.float(), labels),
            loss_mcdal_ce=sum(
                F.cross_entropy(a.float(), labels) for a in self._aux(feat)))
        if unl:
            with torch.no_grad():
                feat_u = self.extract_feat(inputs[unl])
                main_u = self.head(self.dropout(feat_u))
            losses['loss_mcdal_disc'] = -self.mcdal_cfg['weight'] * three_way(
                self._aux(feat_u), main_u)
        return losses

from typing import Optional

import torch.nn.functional as F
from mmseg.registry import MODELS

from ..classifier import ImageClassifier
from .module import (LossPredictionModule, lpm_features, lpm_settings,
                     ranking_loss, stage_channels)


@MODELS.register_module()
class LossPredictionClassifier(ImageClassifier):
    """``ImageClassifier`` with a Learning Loss module on the backbone's four
    stages (the backbone's ``out_indices`` are set to all of them); see
    :class:`LossPredictionEncoderDecoder` for ``loss_prediction``."""

    #: what a cycle's test adds: how well the module orders the test images
    #: by their loss
    test_metrics = [dict(type='LossRankingMetric')]

    def __init__(self,
                 backbone: dict,
                 num_classes: int,
                 loss_prediction: Optional[dict] = None,
                 **kwargs):
        super().__init__(
            dict(backbone, out_indices=(0, 1, 2, 3)), num_classes, **kwargs)
        self.lpm_cfg = lpm_settings(loss_prediction)
        self.loss_module = LossPredictionModule(
            stage_channels(self.backbone), self.lpm_cfg['mid_channels'])

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        feats = self.backbone(inputs)
        logits = self.head(
            self.dropout(F.adaptive_avg_pool2d(feats[-1], 1).flatten(1)))
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            labels = self._labels(data_samples, logits)
            per_image = F.cross_entropy(
                logits.float(), labels, reduction='none')
            pred = self.loss_module(
                lpm_features(feats, self.lpm_cfg['stop_grad_iter'],
                             self.lpm_cfg['stop_grad_epoch']))
            return dict(
                loss=per_image.mean(),
                loss_lpm=self.lpm_cfg['weight'] *
                ranking_loss(pred, per_image.detach(), self.lpm_cfg['margin']))
        if mode == 'predict':
            pred = self.loss_module(feats)
            for sample, row, value in zip(data_samples, logits, pred):
                sample.pred_logits = row.float()
                sample.pred_label = row.argmax()
                sample.pred_loss = value.float()
            return data_samples
        raise RuntimeError(
            f'Invalid mode "{mode}": only loss, predict and tensor are '
            'supported')

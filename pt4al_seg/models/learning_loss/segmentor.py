from typing import Optional

import torch
import torch.nn.functional as F
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS

from .module import (LossPredictionModule, lpm_features, lpm_settings,
                     ranking_loss, stage_channels)


@MODELS.register_module()
class LossPredictionEncoderDecoder(EncoderDecoder):
    """mmseg's EncoderDecoder with a Learning Loss module on the backbone's
    stages.

    Training adds ``weight * ranking_loss`` between the predicted and the true
    per-image loss (pixel-averaged cross-entropy of the decode head, ignore
    index excluded); the module stops sending gradients into the backbone from
    ``stop_grad_iter`` on. Prediction attaches ``pred_loss`` (the
    ``PredictedLoss`` selector's score) to every sample ('whole' inference).

    Args:
        loss_prediction (dict): ``mid_channels`` (128), ``margin`` ξ (1.0),
            ``weight`` λ (1.0), ``stop_grad_iter`` / ``stop_grad_epoch`` (from
            which the features reach the module detached; None: never).
        **kwargs: See ``EncoderDecoder``.
    """

    #: what a cycle's test adds: how well the module orders the test images
    #: by their loss
    test_metrics = [dict(type='LossRankingMetric')]

    def __init__(self, loss_prediction: Optional[dict] = None, **kwargs):
        super().__init__(**kwargs)
        self.lpm_cfg = lpm_settings(loss_prediction)
        self.loss_module = LossPredictionModule(
            stage_channels(self.backbone), self.lpm_cfg['mid_channels'])

    def image_losses(self, seg_logits, data_samples) -> torch.Tensor:
        """(B,) pixel-averaged cross-entropy of each image (the module's
        target)."""
        gt = torch.stack([s.gt_sem_seg.data
                          for s in data_samples]).squeeze(1).long()
        logits = resize(
            seg_logits,
            size=gt.shape[1:],
            mode='bilinear',
            align_corners=self.align_corners)
        ignore = self.decode_head.ignore_index
        pix = F.cross_entropy(
            logits.float(), gt, ignore_index=ignore, reduction='none')
        valid = (gt != ignore).float()
        return (pix *
                valid).flatten(1).sum(1) / valid.flatten(1).sum(1).clamp(min=1)

    def loss(self, inputs, data_samples) -> dict:
        x = self.extract_feat(inputs)
        seg_logits = self.decode_head.forward(x)
        losses = {
            f'decode.{k}': v
            for k, v in self.decode_head.loss_by_feat(seg_logits,
                                                      data_samples).items()
        }
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        target = self.image_losses(seg_logits, data_samples).detach()
        pred = self.loss_module(
            lpm_features(x, self.lpm_cfg['stop_grad_iter'],
                         self.lpm_cfg['stop_grad_epoch']))
        losses['loss_lpm'] = self.lpm_cfg['weight'] * ranking_loss(
            pred, target, self.lpm_cfg['margin'])
        return losses

    def predict(self, inputs, data_samples=None):
        captured = {}
        handle = self.backbone.register_forward_hook(
            lambda module, args, out: captured.__setitem__('feats', out))
        try:
            results = super().predict(inputs, data_samples)
        finally:
            handle.remove()
        pred = self.loss_module(captured['feats'])
        if pred.shape[0] != len(results):
            raise RuntimeError(
                'pred_loss needs whole-image inference (test_cfg.mode=whole)')
        for sample, value in zip(results, pred):
            sample.pred_loss = value.float()
        return results

"""Learning Loss for Active Learning (Yoo & Kweon, CVPR 2019): the
loss-prediction module, its pairwise ranking loss, and mmseg's EncoderDecoder
trained with it (both config families: a classifier is an EncoderDecoder)."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor, nn


class LossPredictionModule(nn.Module):
    """Each feature level: global average pool, FC to ``mid_channels``, ReLU;
    the levels concatenated and mapped by one FC to the predicted loss.

    Args:
        in_channels (Sequence[int]): Channels of each feature level used.
        mid_channels (int): Width per level. Defaults to 128.
    """

    def __init__(self, in_channels: Sequence[int], mid_channels: int = 128):
        super().__init__()
        self.fcs = nn.ModuleList(
            nn.Linear(c, mid_channels) for c in in_channels)
        self.out = nn.Linear(mid_channels * len(in_channels), 1)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """(B,) predicted losses."""
        parts = [
            F.relu(fc(F.adaptive_avg_pool2d(f.float(), 1).flatten(1)))
            for fc, f in zip(self.fcs, feats)
        ]
        return self.out(torch.cat(parts, 1)).squeeze(1)


def ranking_loss(pred: Tensor, target: Tensor, margin: float = 1.0) -> Tensor:
    """The paper's pairwise loss: the batch is split into pairs (first half,
    second half) and each pair is penalised when the predicted order disagrees
    with the true one by less than ``margin``: ``max(0, -sign(l_i - l_j) * (p_i
    - p_j) + margin)``, averaged.

    Args:
        pred (Tensor): (B,) predicted losses.
        target (Tensor): (B,) true losses (detached).
        margin (float): ξ. Defaults to 1.0.
    """
    half = pred.shape[0] // 2
    if half == 0:
        return pred.sum() * 0
    p_i, p_j = pred[:half], pred[half:2 * half]
    sign = torch.sign(target[:half] - target[half:2 * half])
    return torch.clamp(-sign * (p_i - p_j) + margin, min=0).mean()


def lpm_features(feats: List[Tensor],
                 stop_grad_iter: Optional[int] = None,
                 stop_grad_epoch: Optional[int] = None,
                 stop_grad: Optional[float] = None) -> List[Tensor]:
    """The features the module sees: detached (no gradient into the backbone)
    once the training iteration reaches ``stop_grad_iter``, the epoch
    ``stop_grad_epoch``, or the share ``stop_grad`` of the training (the
    paper stops after epoch 120 of 200: 0.6): of its epochs, rounded, in an
    epoch-based training, else of its iterations (mmengine's message hub
    holds both); None never stops."""
    hub = MessageHub.get_current_instance()
    if stop_grad is not None:
        epochs = hub.get_info('max_epochs', 1) or 1
        if epochs > 1:
            stop_grad_epoch = round(stop_grad * epochs)
        else:
            stop_grad_iter = round(stop_grad * hub.get_info('max_iters', 0))
    by_iter = stop_grad_iter is not None and \
        hub.get_info('iter', 0) >= stop_grad_iter
    by_epoch = stop_grad_epoch is not None and \
        hub.get_info('epoch', 0) >= stop_grad_epoch
    if by_iter or by_epoch:
        return [f.detach() for f in feats]
    return list(feats)


def lpm_settings(cfg: Optional[dict]) -> dict:
    """Defaults of ``loss_prediction``: mid_channels 128, margin (xi) 1.0,
    weight (lambda) 1.0, no gradient stop (``stop_grad_iter``,
    ``stop_grad_epoch``, or ``stop_grad``, a share of the training: see
    :func:`lpm_features`)."""
    out = dict(
        mid_channels=128,
        margin=1.0,
        weight=1.0,
        stop_grad_iter=None,
        stop_grad_epoch=None,
        stop_grad=None)
    unknown = set(cfg or {}) - set(out)
    if unknown:
        raise ValueError(f'loss_prediction: unknown keys {sorted(unknown)}')
    out.update(cfg or {})
    return out


def stage_channels(backbone: nn.Module) -> List[int]:
    """Output channels of each stage of an mmseg ResNet (``out_indices``)."""
    return [
        backbone.base_channels * 2**i * backbone.block.expansion
        for i in backbone.out_indices
    ]


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
            ``weight`` λ (1.0), ``stop_grad_iter`` / ``stop_grad_epoch`` /
            ``stop_grad`` (a share of the training) from which the features
            reach the module detached (None: never).
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
                         self.lpm_cfg['stop_grad_epoch'],
                         self.lpm_cfg['stop_grad']))
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

"""Learning Loss for Active Learning (Yoo & Kweon, CVPR 2019): the
loss-prediction module and its pairwise ranking loss."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
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
                 stop_grad_epoch: Optional[int] = None) -> List[Tensor]:
    """The features the module sees: detached (no gradient into the backbone)
    once the training iteration reaches ``stop_grad_iter`` or the epoch
    ``stop_grad_epoch`` (the paper stops after epoch 120 of 200); None never
    stops."""
    hub = MessageHub.get_current_instance()
    by_iter = stop_grad_iter is not None and \
        hub.get_info('iter', 0) >= stop_grad_iter
    by_epoch = stop_grad_epoch is not None and \
        hub.get_info('epoch', 0) >= stop_grad_epoch
    if by_iter or by_epoch:
        return [f.detach() for f in feats]
    return list(feats)


def lpm_settings(cfg: Optional[dict]) -> dict:
    """Defaults of ``loss_prediction``: mid_channels 128, margin (xi) 1.0,
    weight (lambda) 1.0, no gradient stop."""
    out = dict(
        mid_channels=128,
        margin=1.0,
        weight=1.0,
        stop_grad_iter=None,
        stop_grad_epoch=None)
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

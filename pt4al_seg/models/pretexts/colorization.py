import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.registry import MODELS
from torch import Tensor, nn

from .base import BasePretext, sample_sizes


@MODELS.register_module()
class ColorizationPretext(BasePretext):
    """Predict the ab channels of Lab from the L channel (regression).

    Inputs are L channels (see ``SplitLab``); targets, in
    ``data_samples[i].gt_ab``, are ab scaled to [-1, 1]. An image's loss is the
    squared error averaged over its pixels (and the two channels); padding
    added by the data preprocessor is excluded.

    Regression rather than quantised-ab classification: the loss only has to
    rank images, and a per-pixel squared error is comparable across images as
    it stands, needs no colour bins, class-rebalancing prior or annealed
    decoding, and costs a 2-channel output instead of ~313 per pixel (which
    matters at Cityscapes resolution).

    Args:
        backbone (dict): Backbone config; its ``in_channels`` is set to 1 here.
        in_channels (int, optional): Channels of the backbone's last output;
            None reads the backbone's ``feat_dim``. Defaults to None.
        channels (int): Channels of the head's hidden layer. Defaults to 64.
        norm_cfg (dict): Norm of the head. Defaults to ``dict(type='BN')``.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 in_channels: int = None,
                 channels: int = 64,
                 norm_cfg: dict = dict(type='BN'),
                 data_preprocessor=None,
                 init_cfg=None):
        super().__init__(
            dict(backbone, in_channels=1), data_preprocessor, init_cfg)
        self.head = nn.Sequential(
            ConvModule(
                in_channels or self.feat_channels,
                channels,
                3,
                padding=1,
                norm_cfg=norm_cfg), nn.Conv2d(channels, 2, 1))

    def predict_ab(self, inputs: Tensor) -> Tensor:
        """(B, 2, H, W) predicted ab at the input resolution."""
        ab = self.head(self.extract_feat(inputs))
        return F.interpolate(
            ab, size=inputs.shape[2:], mode='bilinear', align_corners=False)

    def image_losses(self, inputs: Tensor, data_samples) -> Tensor:
        pred = self.predict_ab(inputs).float()
        losses = []
        for i, (sample, (h, w)) in enumerate(
                zip(data_samples, sample_sizes(inputs, data_samples))):
            target = sample.gt_ab.data.to(pred.device)
            h, w = min(h, target.shape[1]), min(w, target.shape[2])
            losses.append(
                F.mse_loss(pred[i, :, :h, :w], target[:, :h, :w].float()))
        return torch.stack(losses)

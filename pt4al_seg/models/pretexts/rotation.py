import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor, nn

from .base import BasePretext


@MODELS.register_module()
class RotationPretext(BasePretext):
    """Predict which of 0/90/180/270 degrees an image was rotated by (Gidaris
    et al., 2018).

    An image's loss is the mean cross-entropy over its four rotations.
    Rotations are made here, on the batch, so one data pipeline serves training
    and scoring; images of a batch must share one size (a fixed crop or resize
    in the pipeline).

    Args:
        backbone (dict): Backbone config.
        in_channels (int, optional): Channels of the backbone's last output;
            None reads the backbone's ``feat_dim``. Defaults to None.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 in_channels: int = None,
                 data_preprocessor=None,
                 init_cfg=None):
        super().__init__(backbone, data_preprocessor, init_cfg)
        self.head = nn.Linear(in_channels or self.feat_channels, 4)

    def rotation_logits(self, inputs: Tensor, k: int) -> Tensor:
        """(B, 4) logits for the batch rotated by ``k`` quarter turns."""
        feat = self.extract_feat(torch.rot90(inputs, k, dims=(2, 3)))
        return self.head(F.adaptive_avg_pool2d(feat, 1).flatten(1))

    def image_losses(self, inputs: Tensor, data_samples=None) -> Tensor:
        losses = []
        for k in range(4):
            target = torch.full((inputs.shape[0], ),
                                k,
                                dtype=torch.long,
                                device=inputs.device)
            losses.append(
                F.cross_entropy(
                    self.rotation_logits(inputs, k).float(),
                    target,
                    reduction='none'))
        return torch.stack(losses).mean(0)

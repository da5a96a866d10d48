"""The pretext model interface, after mmselfsup's ``RotationPred``."""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmseg.registry import MODELS
from torch import Tensor


class BasePretext(BaseModel):
    """A self-supervised model whose per-image loss ranks the unlabelled pool.

    Subclasses implement :meth:`image_losses`; ``loss`` trains on their mean
    and ``predict`` attaches each image's loss to its data sample as
    ``pretext_loss``.

    Args:
        backbone (dict): Backbone config (the task model's backbone by default,
            filled in by the active-learning driver).
        data_preprocessor (dict, optional): Data preprocessor config. Defaults
            to None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)

    @property
    def feat_channels(self) -> int:
        """Channels of the backbone's last output (mmseg ResNets record it as
        feat_dim)."""
        if not hasattr(self.backbone, 'feat_dim'):
            raise ValueError(
                f'{type(self.backbone).__name__} has no feat_dim: set the '
                'head\'s '
                'in_channels in the pretext model config')
        return self.backbone.feat_dim

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """The backbone's last feature map."""
        return self.backbone(inputs)[-1]

    def image_losses(self, inputs: Tensor, data_samples: List) -> Tensor:
        """(B,) pretext loss of each image."""
        raise NotImplementedError

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        return dict(loss=self.image_losses(inputs, data_samples).mean())

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        losses = self.image_losses(inputs, data_samples).float()
        for sample, value in zip(data_samples, losses):
            sample.pretext_loss = value
        return data_samples

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(
            f'Invalid mode "{mode}": only loss, predict and tensor are '
            'supported')


def sample_sizes(inputs: Tensor, data_samples: Optional[List]) -> List[tuple]:
    """Each image's (h, w) before batch padding (``img_shape`` metainfo)."""
    if not data_samples:
        return [tuple(inputs.shape[2:])] * inputs.shape[0]
    return [
        tuple(s.metainfo.get('img_shape', inputs.shape[2:]))[:2]
        for s in data_samples
    ]


def unpadded_squares(inputs: Tensor, data_samples: Optional[List],
                     side: int) -> Tensor:
    """Each image's part before batch padding, resized (bilinear) to
    ``side`` x ``side``: (B, C, side, side)."""
    return torch.cat([
        F.interpolate(
            inputs[i:i + 1, :, :h, :w], (side, side),
            mode='bilinear',
            align_corners=False)
        for i, (h, w) in enumerate(sample_sizes(inputs, data_samples))
    ])

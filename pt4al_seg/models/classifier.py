from typing import List, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmseg.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class ImageClassifier(BaseModel):
    """Backbone, global average pooling and a linear layer, trained with
    cross-entropy.

    ``predict`` attaches ``pred_logits`` (the selectors' input) and
    ``pred_label`` to each data sample.

    Args:
        backbone (dict): Backbone config (e.g. ``ResNetCIFAR``).
        num_classes (int): Number of classes.
        in_channels (int, optional): Channels of the backbone's last output;
            None reads the backbone's ``feat_dim``. Defaults to None.
        dropout_ratio (float): Dropout on the pooled features before the
            linear layer (what Monte-Carlo dropout queries such as ``BALD``
            sample; ResNets have no dropout of their own). Defaults to 0.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 num_classes: int,
                 in_channels: Optional[int] = None,
                 dropout_ratio: float = 0.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.dropout = nn.Dropout(
            dropout_ratio) if dropout_ratio > 0 else nn.Identity()
        self.head = nn.Linear(in_channels or self.backbone.feat_dim,
                              num_classes)

    def extract_feat(self, inputs: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(self.backbone(inputs)[-1], 1).flatten(1)

    @staticmethod
    def _labels(data_samples: List, logits: Tensor) -> Tensor:
        return torch.stack([s.gt_label
                            for s in data_samples]).to(logits.device).view(-1)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        logits = self.head(self.dropout(self.extract_feat(inputs)))
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            return dict(
                loss=F.cross_entropy(logits.float(),
                                     self._labels(data_samples, logits)))
        if mode == 'predict':
            for sample, row in zip(data_samples, logits):
                sample.pred_logits = row.float()
                sample.pred_label = row.argmax()
            return data_samples
        raise RuntimeError(
            f'Invalid mode "{mode}": only loss, predict and tensor are '
            'supported')

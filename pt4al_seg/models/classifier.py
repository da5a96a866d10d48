"""The classification family as an mmseg segmentor: an ``EncoderDecoder``
whose decode head pools the image and classifies it.

Every model of the package (the strategies' Learning Loss, MCDAL and VAAL
segmentors, Monte-Carlo dropout, BADGE's and BASE's last layer) and every
query then reads one output shape, mmseg's ``seg_logits`` (C, H, W): a
classifier's are its class logits, the same at every pixel. No code
branches on the task.
"""
import torch.nn.functional as F
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS


@MODELS.register_module()
class ImageClsHead(BaseDecodeHead):
    """Global average pooling of one backbone stage, dropout, then the
    classifier: mmseg's ``conv_seg``, a 1x1 convolution (a linear layer on
    the pooled feature). Its logits are (B, C, 1, 1); the label map of an
    image is its class, one pixel (``LoadClsLabel``), so mmseg's loss is the
    image's cross-entropy.

    Args:
        in_channels (int): Channels of the pooled stage; also ``channels``
            (nothing between pooling and the classifier).
        in_index (int): The backbone output pooled. Defaults to -1 (the
            last).
        dropout_ratio (float): Dropout on the pooled feature (what
            Monte-Carlo dropout queries sample). Defaults to 0.
        init_cfg (dict, optional): Defaults to None: ``conv_seg`` keeps
            PyTorch's initialisation, as a linear layer has it.
        **kwargs: See ``BaseDecodeHead`` (``num_classes``, ``loss_decode``,
            ``ignore_index``).
    """

    def __init__(self,
                 in_channels: int,
                 in_index: int = -1,
                 dropout_ratio: float = 0.0,
                 init_cfg=None,
                 **kwargs):
        kwargs.setdefault('channels', in_channels)
        super().__init__(
            in_channels,
            in_index=in_index,
            dropout_ratio=dropout_ratio,
            init_cfg=init_cfg,
            **kwargs)

    def forward(self, inputs):
        x = self._transform_inputs(inputs)
        return self.cls_seg(F.adaptive_avg_pool2d(x, 1))

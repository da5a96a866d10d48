from mmcv.cnn import build_conv_layer, build_norm_layer
from mmseg.models.backbones import ResNet
from mmseg.registry import MODELS
from torch import nn


@MODELS.register_module()
class ResNetCIFAR(ResNet):
    """mmseg's ResNet in the CIFAR form: one 3x3 stride-1 stem convolution, no
    max-pool.

    The residual stages are mmseg's own; use ``depth=18, strides=(1, 2, 2, 2)``
    for the CIFAR ResNet-18 of the PT4AL paper (output stride 8 on 32x32
    images).
    """

    def __init__(self,
                 depth: int = 18,
                 strides=(1, 2, 2, 2),
                 dilations=(1, 1, 1, 1),
                 out_indices=(3, ),
                 deep_stem: bool = False,
                 **kwargs):
        if deep_stem:
            raise ValueError('ResNetCIFAR has a single 3x3 stem convolution '
                             '(deep_stem=False)')
        super().__init__(
            depth=depth,
            strides=strides,
            dilations=dilations,
            out_indices=out_indices,
            deep_stem=False,
            **kwargs)
        self.maxpool = nn.Identity()

    def _make_stem_layer(self, in_channels: int, stem_channels: int) -> None:
        self.conv1 = build_conv_layer(
            self.conv_cfg,
            in_channels,
            stem_channels,
            kernel_size=3,
            stride=1,
            padding=1,
            bias=False)
        self.norm1_name, norm1 = build_norm_layer(
            self.norm_cfg, stem_channels, postfix=1)
        self.add_module(self.norm1_name, norm1)
        self.relu = nn.ReLU(inplace=True)

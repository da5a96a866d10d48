# DeepLabV3 with a ResNet-18-D8 backbone and narrow heads, for small images on
# CPU (a full-width ASPP at 128x128 costs ~1.4 s/iteration on 2 cores). BN, not
# SyncBN, so that it also runs in CPU (gloo) distributed runs; no pretrained
# weights (nothing is downloaded: set model.pretrained or load_from to a local
# checkpoint to use one).
_base_ = ['mmseg::_base_/models/deeplabv3_r50-d8.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512,
        channels=64,
        dilations=(1, 2, 4, 6),
        norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=32, norm_cfg=norm_cfg))

# ResNet-18 in the CIFAR form (3x3 stem, no max-pool; mmseg's residual stages)
# and a linear classifier on its pooled last stage, as an mmseg segmentor
# (ImageClsHead): every query and strategy model reads a classifier as it
# reads DeepLab. All four stages are returned (Learning Loss reads them).
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[125.307, 122.961, 113.8575],
        std=[51.5865, 50.847, 51.255],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size_divisor=1),
    backbone=dict(
        type='ResNetCIFAR',
        depth=18,
        out_indices=(0, 1, 2, 3),
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='ImageClsHead',
        in_channels=512,
        in_index=3,
        num_classes=10,
        dropout_ratio=0.0,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

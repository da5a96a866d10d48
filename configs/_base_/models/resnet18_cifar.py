# ResNet-18 in the CIFAR form (3x3 stem, no max-pool; mmseg's residual stages),
# linear head.
model = dict(
    type='ImageClassifier',
    num_classes=10,
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[125.307, 122.961, 113.8575],
        std=[51.5865, 50.847, 51.255],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNetCIFAR',
        depth=18,
        norm_cfg=dict(type='BN', requires_grad=True)))

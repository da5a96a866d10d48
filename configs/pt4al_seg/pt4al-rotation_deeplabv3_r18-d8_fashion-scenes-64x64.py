# The demo with the rotation pretext instead of colorization (the
# pretext-choice ablation): only the pretext model and its pipelines differ.
_base_ = ['./demo.py']
pretext = dict(
    model=dict(
        _delete_=True,
        type='RotationPretext',
        backbone=None,
        data_preprocessor=dict(
            type='SegDataPreProcessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            pad_val=0,
            seg_pad_val=255,
            size_divisor=1)),
    train_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackSegInputs')
    ],
    score_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='PackSegInputs')
    ])

# Rotation pretext: 0/90/180/270 degrees, 4-way head; an image's loss is the
# mean cross-entropy over its four rotations. The backbone is the task model's
# unless set here.
pretext = dict(
    # the family's other pretexts ({}: rotation, colorization, jigsaw,
    # simsiam): tools/compare.py --pretexts
    variants='pt4al_seg::_base_/pretext/{}.py',
    model=dict(
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
    ],
    batch_size=16,
    train_cfg=dict(type='IterBasedTrainLoop', max_iters=2000),
    optim_wrapper=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9,
                       weight_decay=0.0005)),
    param_scheduler=[
        dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, by_epoch=False)
    ],
)

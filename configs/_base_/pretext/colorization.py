# Colorization pretext: L in, ab out (regression); an image's loss is its mean
# squared error over pixels. The backbone is the task model's (1 input channel)
# unless set here.
pretext = dict(
    # the family's other pretexts ({}: rotation, colorization, jigsaw,
    # simsiam): tools/compare.py --pretexts
    variants='pt4al_seg::_base_/pretext/{}.py',
    model=dict(
        type='ColorizationPretext',
        backbone=None,
        channels=64,
        data_preprocessor=dict(
            type='SegDataPreProcessor',
            mean=[127.5],
            std=[127.5],
            bgr_to_rgb=False,
            pad_val=0,
            seg_pad_val=255,
            size_divisor=1)),
    train_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='SplitLab'),
        dict(type='PackColorizationInputs')
    ],
    score_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='SplitLab'),
        dict(type='PackColorizationInputs')
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

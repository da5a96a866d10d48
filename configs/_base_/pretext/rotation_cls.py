# Rotation pretext for the classification family (the paper's choice there): 4
# rotations of each 32x32 image; the pool is scored without labels.
_base_ = ['./rotation.py']
pretext = dict(
    # the family's other pretexts ({}: rotation, colorization, jigsaw,
    # simsiam): tools/compare.py --pretexts
    variants='pt4al_seg::_base_/pretext/{}_cls.py',
    model=dict(
        data_preprocessor=dict(
            mean=[125.307, 122.961, 113.8575], std=[51.5865, 50.847, 51.255])),
    train_pipeline=[
        dict(type='LoadClsImage'),
        dict(type='RandomCropPad', size=32, padding=4),
        dict(type='RandomFlip', prob=0.5),
        dict(
            type='PackSegInputs',
            meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'flip',
                       'flip_direction'))
    ],
    score_pipeline=[
        dict(type='LoadClsImage'),
        dict(
            type='PackSegInputs',
            meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'flip',
                       'flip_direction'))
    ],
    batch_size=128,
    train_cfg=dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=120),
    param_scheduler=[
        dict(
            type='MultiStepLR',
            by_epoch=True,
            milestones=[30, 60, 90],
            gamma=0.1)
    ],
    optim_wrapper=dict(optimizer=dict(lr=0.1)))

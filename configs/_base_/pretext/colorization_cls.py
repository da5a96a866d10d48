# Colorization pretext for the classification family.
_base_ = ['./colorization.py']
pretext = dict(
    # the family's other pretexts ({}: rotation, colorization, jigsaw,
    # simsiam): tools/compare.py --pretexts
    variants='pt4al_seg::_base_/pretext/{}_cls.py',
    train_pipeline=[
        dict(type='LoadClsImage'),
        dict(type='RandomCropPad', size=32, padding=4),
        dict(type='RandomFlip', prob=0.5),
        dict(type='SplitLab'),
        dict(
            type='PackColorizationInputs',
            meta_keys=('img_id', 'img_path', 'img_shape'))
    ],
    score_pipeline=[
        dict(type='LoadClsImage'),
        dict(type='SplitLab'),
        dict(
            type='PackColorizationInputs',
            meta_keys=('img_id', 'img_path', 'img_shape'))
    ],
    batch_size=128,
    train_cfg=dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=60))

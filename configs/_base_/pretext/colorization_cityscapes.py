# Colorization pretext at Cityscapes scale: mmseg's Cityscapes augmentation for
# training, images scored at half resolution (1024x512).
_base_ = ['./colorization.py']
pretext = dict(
    # the family's other pretexts ({}: rotation, colorization, jigsaw,
    # simsiam): tools/compare.py --pretexts
    variants='pt4al_seg::_base_/pretext/{}_cityscapes.py',
    batch_size=8,
    train_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(
            type='RandomResize',
            scale=(2048, 1024),
            ratio_range=(0.5, 2.0),
            keep_ratio=True),
        dict(type='RandomCrop', crop_size=(512, 1024)),
        dict(type='RandomFlip', prob=0.5),
        dict(type='SplitLab'),
        dict(type='PackColorizationInputs')
    ],
    score_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(1024, 512), keep_ratio=True),
        dict(type='SplitLab'),
        dict(type='PackColorizationInputs')
    ],
    train_cfg=dict(max_iters=20000))

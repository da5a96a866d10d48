# The classification view of the offline data
# (tools/dataset_converters/fashion_scenes.py --view cls): one tinted
# Fashion-MNIST item per textured 32x32 image. Labels come from the item's
# Fashion-MNIST class, not from human annotation.
dataset_type = 'ImageListClsDataset'
data_root = 'data/fashion_cls'
# What PackSegInputs keeps: CIFAR images are arrays with an id, no path.
cls_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'flip',
                 'flip_direction')
train_pipeline = [
    dict(type='LoadClsImage'),
    dict(type='RandomCropPad', size=32, padding=4),
    dict(type='RandomFlip', prob=0.5),
    dict(type='LoadClsLabel'),
    dict(type='PackSegInputs', meta_keys=cls_meta_keys)
]
test_pipeline = [
    dict(type='LoadClsImage'),
    dict(type='LoadClsLabel'),
    dict(type='PackSegInputs', meta_keys=cls_meta_keys)
]
# Scores unlabelled images: labels are never packed.
score_pipeline = [
    dict(type='LoadClsImage'),
    dict(type='PackSegInputs', meta_keys=cls_meta_keys)
]
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        label_file='meta/train.txt',
        data_prefix=dict(img_path='train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        label_file='meta/val.txt',
        data_prefix=dict(img_path='val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='ClsAccuracy')
test_evaluator = val_evaluator

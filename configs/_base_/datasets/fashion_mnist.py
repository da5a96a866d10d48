# Plain Fashion-MNIST (tools/dataset_converters/fashion_scenes.py --view
# plain): upright grey 28x28 items, loaded as 3 channels. 60,000 training and
# 10,000 test images.
_base_ = ['./fashion_cls.py']
data_root = 'data/fashion_mnist'
train_pipeline = [
    dict(type='LoadClsImage'),
    dict(type='RandomCropPad', size=28, padding=4),
    dict(type='RandomFlip', prob=0.5),
    dict(type='LoadClsLabel'),
    dict(
        type='PackSegInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'flip',
                   'flip_direction'))
]
train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

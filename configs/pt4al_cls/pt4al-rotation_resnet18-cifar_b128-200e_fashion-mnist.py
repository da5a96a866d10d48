# PT4AL on plain Fashion-MNIST (tools/dataset_converters/fashion_scenes.py
# data/fashion_mnist --view plain --num-train 60000 --num-val 10000): 10
# batches of 6,000, 1,000 labelled per cycle, the CIFAR recipe (crop 28 with
# padding 4). Upright, centred grey items make the rotation pretext nearly
# trivial: expect little from its ranking (see the FashionScenes view).
_base_ = [
    '../_base_/models/resnet18_cifar.py',
    '../_base_/datasets/fashion_mnist.py', '../_base_/cls_runtime.py',
    '../_base_/schedules/cls_200e.py', '../_base_/pretext/rotation_cls.py',
    '../_base_/al/strategies/pt4al.py'
]
pretext = dict(train_pipeline=[
    dict(type='LoadClsImage'),
    dict(type='RandomCropPad', size=28, padding=4),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='PackSegInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'flip',
                   'flip_direction'))
])
al = dict(num_cycles=10, budget=1000, metric='accuracy', score_batch_size=256)

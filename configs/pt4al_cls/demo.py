# The classification demo (make demo-cls): PT4AL with the rotation pretext on
# the tinted- items-on-texture view (32x32, 3,000 training images), a narrow
# ResNet-18 (CIFAR form, 16 base channels), 3 cycles of 200 images, on CPU.
_base_ = [
    '../_base_/models/resnet18_cifar.py', '../_base_/datasets/fashion_cls.py',
    '../_base_/cls_runtime.py', '../_base_/schedules/cls_200e.py',
    '../_base_/pretext/rotation_cls.py', '../_base_/al/strategies/pt4al.py'
]
data_root = 'data/fashion_cls_32'
model = dict(
    backbone=dict(stem_channels=16, base_channels=16),
    decode_head=dict(in_channels=128))
train_cfg = dict(max_epochs=30, val_interval=30)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[24], gamma=0.1)
]
pretext = dict(
    train_cfg=dict(max_epochs=6),
    param_scheduler=[
        dict(type='MultiStepLR', by_epoch=True, milestones=[4], gamma=0.1)
    ])
# top-1 accuracy (%) as the summary's metric
al = dict(num_cycles=3, budget=200, metric='accuracy', score_batch_size=256)
# PT4AL's figure per cycle and its hypothesis H1 (runs with a pretext stage)
al_hooks = dict(embedding=dict(type='EmbeddingHook'), h1=dict(type='H1Hook'))

# The embedded demo (make demo): PT4AL with the colorization pretext on FashionScenes
# 64x64 (1,000 training images), DeepLabV3-R18-D8, 3 cycles of 100 images, on CPU.
_base_ = [
    '../_base_/models/deeplabv3_r18-d8.py', '../_base_/datasets/fashion_scenes.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_1k.py',
    '../_base_/pretext/colorization.py', '../_base_/al/pt4al.py'
]
data_root = 'data/fashion_scenes_64'
crop_size = (64, 64)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=11),
    auxiliary_head=dict(num_classes=11))
train_cfg = dict(max_iters=300)
pretext = dict(train_cfg=dict(max_iters=200))
al = dict(num_cycles=3, budget=100, score_batch_size=16)

# Full supervision on every FashionScenes 64x64 training image: the upper bound
# the demo's active-learning curve is compared with (python tools/train.py
# CONFIG).
_base_ = [
    '../_base_/models/deeplabv3_r18-d8.py',
    '../_base_/datasets/fashion_scenes.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_1k.py'
]
data_root = 'data/fashion_scenes_64'
crop_size = (64, 64)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=11),
    auxiliary_head=dict(num_classes=11))

# PT4AL on Cityscapes, rotation pretext; otherwise as the colorization config.
_base_ = [
    'mmseg::_base_/models/deeplabv3_r50-d8.py',
    '../_base_/datasets/cityscapes.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_20k.py',
    '../_base_/pretext/rotation_cityscapes.py',
    '../_base_/al/strategies/pt4al.py'
]
crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(data_preprocessor=data_preprocessor, pretrained=None)
al = dict(num_cycles=10, budget=59, score_batch_size=2)

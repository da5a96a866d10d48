# PT4AL on Cityscapes, colorization pretext (the paper's best for
# segmentation). K = 10 cycles: 2,975 images ranked into batches of 297-298; 59
# labelled per cycle (one fifth of a batch, the official CIFAR proportion);
# DeepLabV3-R50-D8 trained from scratch for 20k iterations each cycle. Data:
# --cfg-options data_root=/path/to/cityscapes
_base_ = [
    'mmseg::_base_/models/deeplabv3_r50-d8.py',
    '../_base_/datasets/cityscapes.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_20k.py',
    '../_base_/pretext/colorization_cityscapes.py',
    '../_base_/al/strategies/pt4al.py'
]
crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
# Nothing is downloaded: set model.pretrained to a local checkpoint to use one.
model = dict(data_preprocessor=data_preprocessor, pretrained=None)
al = dict(num_cycles=10, budget=59, score_batch_size=2)

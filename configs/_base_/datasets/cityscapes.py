# mmseg's Cityscapes settings plus the scoring pipeline of active learning.
# Set the data root once: --cfg-options data_root=/path/to/cityscapes
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
# Scores unlabelled images at the test scale: never LoadAnnotations here.
score_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='PackSegInputs')
]

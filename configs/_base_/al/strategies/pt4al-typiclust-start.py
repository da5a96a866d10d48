# PT4AL with TypiClust as its cycle-0 pick from batch 0, on the pretext
# model's features, instead of every N-th image.
_base_ = ['./pt4al.py']
al = dict(features='pretext', cold_start=dict(picker=dict(type='TypiClust')))

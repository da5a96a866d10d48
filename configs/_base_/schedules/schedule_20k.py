# mmseg's 20k-iteration schedule, keeping only the newest training checkpoint
# (an AL run keeps each cycle's final model.pth; iteration checkpoints only
# serve --resume).
_base_ = ['mmseg::_base_/schedules/schedule_20k.py']
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, by_epoch=False)
]
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=2000, max_keep_ckpts=1))

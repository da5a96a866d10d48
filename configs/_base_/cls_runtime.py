# Runtime of the classification family: epoch-based logging and checkpoints.
_base_ = ['./default_runtime.py']
log_processor = dict(by_epoch=True)
visualizer = dict(type='Visualizer')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=True, interval=10, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'))

# TypiClust on the pretext model's pooled features (self-supervised, as its
# paper), from the first cycle on: the pretext stage without its batches.
_base_ = ['./pool.py']
al_hooks = dict(
    pretext=dict(_delete_=True, type='PretextBatchHook', batches=False))
al = dict(
    features='pretext',
    picker=dict(type='TypiClust'),
    cold_start=dict(picker=dict(type='TypiClust')))

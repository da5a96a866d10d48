# PT4AL (Yi et al., ECCV 2022): a pretext task trained on every pool image
# ranks the pool by its loss into one batch per cycle, hardest first; cycle 0
# takes every N-th image of batch 0, cycle i > 0 the budget images of batch i
# the previous cycle's model is least confident about (al's defaults).
runner_type = 'ActiveLearningRunner'
al_hooks = dict(pretext=dict(type='PretextBatchHook', order='descending'))
al = dict(cold_start=dict(picker=dict(type='EveryNth')))

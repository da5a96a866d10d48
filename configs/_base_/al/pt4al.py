# PT4AL: the pretext loss ranks the pool into one batch per cycle (hardest
# first); cycle 0 takes every N-th image of batch 0, cycle i>0 the `budget`
# images of batch i that the previous cycle's model is least sure of. Run by
# mmseg's tools/train.py as by tools/train_al.py. Every `al` setting and its
# default: pt4al_seg/engine/settings.py.
runner_type = 'ActiveLearningRunner'
# PretextBatchHook trains the `pretext` model, scores and ranks the pool before
# cycle 0; order='ascending' is the paper's ablation. Without it the config is
# a pool strategy.
al_hooks = [dict(type='PretextBatchHook', order='descending')]
al = dict(
    num_cycles=10,  # K: cycles, and the number of pretext batches
    budget=None,  # images labelled per cycle (set in the leaf config)
    query=dict(
        # or Entropy, Margin, Random, PredictedLoss, BALD, VoteEntropy,
        # ConsensusKL, TOD, COD, MCDAL, VAAL: pt4al_seg/strategies/queries/
        type='LeastConfidence'),
    picker=dict(
        # or ClassBalanced, KCenterGreedy (Core-Set), TypiClust, ProbCover,
        # BADGE, BASE, UncertainGCN, CoreGCN: pt4al_seg/strategies/pickers/
        type='TopK'),
    cold_start=dict(picker=dict(
        type='EveryNth')),  # cycle 0: uniform over batch 0
    mode='simulate',  # 'annotate': stop after each selection for human labels
    # 'scratch' (paper), 'previous' (official code) or 'pretext'
    init='scratch',
    score_batch_size=4,  # images per scoring batch (same size within a batch)
)

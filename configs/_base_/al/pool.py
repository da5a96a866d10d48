# A pool strategy: every cycle picks over the whole unlabelled pool (no pretext
# stage); cycle 0 is a seeded random pick, cycle i>0 the `budget` images the
# previous cycle's model is least sure of. Every `al` setting and its default:
# pt4al_seg/engine/settings.py.
runner_type = 'ActiveLearningRunner'
al_hooks = []
al = dict(
    num_cycles=10,
    budget=None,
    query=dict(
        # or Entropy, Margin, Random, PredictedLoss, BALD, VoteEntropy,
        # ConsensusKL, TOD, COD, MCDAL, VAAL: pt4al_seg/strategies/queries/
        type='LeastConfidence'),
    picker=dict(
        # or ClassBalanced, KCenterGreedy (Core-Set), TypiClust, ProbCover,
        # BADGE, BASE, UncertainGCN, CoreGCN: pt4al_seg/strategies/pickers/
        type='TopK'),
    cold_start=dict(
        query=dict(type='Random', seed=0), picker=dict(type='TopK')),
    mode='simulate',
    init='scratch',  # 'scratch' or 'previous' (no pretext model here)
    score_batch_size=4,
)

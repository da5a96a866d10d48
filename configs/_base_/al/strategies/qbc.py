# Query-by-committee: vote entropy of 3 models, the cycle's and 2 more
# trainings seeded with the run's seed + 1, + 2, over the pool.
_base_ = ['./pool.py']
al = dict(query=dict(type='VoteEntropy'))

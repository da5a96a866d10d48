# Query-by-committee: mean KL divergence of 3 models to their consensus.
_base_ = ['./pool.py']
al = dict(query=dict(type='ConsensusKL'))

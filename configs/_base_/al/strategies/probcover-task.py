# ProbCover on the previous cycle's task model's pooled features (a random
# first cycle).
_base_ = ['./pool.py']
al = dict(picker=dict(type='ProbCover'))

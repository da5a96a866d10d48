# Query-by-committee on one training: vote entropy of the cycle's model and
# 2 snapshots of its training (no extra training).
_base_ = ['./pool.py']
al = dict(query=dict(type='VoteEntropy', committee='snapshots'))

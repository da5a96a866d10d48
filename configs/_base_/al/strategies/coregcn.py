# CoreGCN (Caramalau et al., CVPR 2021): k-center greedy on the features of
# a GCN over labelled images and candidates.
_base_ = ['./pool.py']
al = dict(picker=dict(type='CoreGCN'))

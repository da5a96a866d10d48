# UncertainGCN (Caramalau et al., CVPR 2021): a GCN over labelled images and
# candidates learns which are labelled; the candidates it is least sure of.
_base_ = ['./pool.py']
al = dict(picker=dict(type='UncertainGCN'))

# COD (Huang et al., ICCV 2021): output discrepancy between the cycle's
# model and the previous cycle's, over the pool.
_base_ = ['./pool.py']
al = dict(query=dict(type='COD'))

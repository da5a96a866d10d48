# TOD (Huang et al., ICCV 2021): output discrepancy between the cycle's
# model and its weights a tenth of the training earlier, over the pool.
_base_ = ['./pool.py']
al = dict(query=dict(type='TOD'))

# Entropy of the softmax, averaged over pixels, over the pool.
_base_ = ['./pool.py']
al = dict(query=dict(type='Entropy'))

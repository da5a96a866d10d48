# Margin between the two top softmax probabilities (smallest first),
# averaged over pixels, over the pool.
_base_ = ['./pool.py']
al = dict(query=dict(type='Margin'))

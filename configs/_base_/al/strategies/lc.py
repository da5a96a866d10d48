# Least confidence over the whole unlabelled pool: 1 - mean over pixels of
# the top softmax probability.
_base_ = ['./pool.py']

# BASE (Emam et al., 2021): an equal share per class of the images nearest
# its decision boundary, over the pool.
_base_ = ['./pool.py']
al = dict(picker=dict(type='BASE'))

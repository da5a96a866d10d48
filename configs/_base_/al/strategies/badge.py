# BADGE (Ash et al., ICLR 2020): k-means++ seeding on the last layer's
# gradient embeddings, over the pool.
_base_ = ['./pool.py']
al = dict(picker=dict(type='BADGE'))

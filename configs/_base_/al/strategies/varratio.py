# Monte-Carlo dropout (VariationRatio): T = 10 passes with the decode
# head's dropout (rate 0.1, mmseg's default) active, over the pool.
_base_ = ['./pool.py']
al = dict(
    query=dict(type='VariationRatio'),
    model=dict(decode_head=dict(dropout_ratio=0.1)))

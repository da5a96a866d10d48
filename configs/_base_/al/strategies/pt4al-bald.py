# PT4AL with BALD (MC dropout, T = 10, rate 0.1) as the in-batch query.
_base_ = ['./pt4al.py']
al = dict(
    query=dict(type='BALD'), model=dict(decode_head=dict(dropout_ratio=0.1)))

# PT4AL with entropy as the in-batch query.
_base_ = ['./pt4al.py']
al = dict(query=dict(type='Entropy'))

# PT4AL with BADGE picking inside each batch.
_base_ = ['./pt4al.py']
al = dict(picker=dict(type='BADGE'))

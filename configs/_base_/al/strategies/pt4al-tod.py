# PT4AL with TOD's output discrepancy as the in-batch query.
_base_ = ['./pt4al.py']
al = dict(query=dict(type='TOD'))

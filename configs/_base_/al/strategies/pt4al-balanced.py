# PT4AL with class-balanced in-batch picking.
_base_ = ['./pt4al.py']
al = dict(picker=dict(type='ClassBalanced'))

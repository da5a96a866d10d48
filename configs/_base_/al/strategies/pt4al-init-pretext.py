# PT4AL, each cycle's model starting from the pretext backbone.
_base_ = ['./pt4al.py']
al = dict(init='pretext')

# PT4AL ranking easiest first (the paper's ablation).
_base_ = ['./pt4al.py']
al_hooks = dict(pretext=dict(order='ascending'))

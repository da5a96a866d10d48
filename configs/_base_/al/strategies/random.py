# A seeded random pick over the pool every cycle (the run's seed).
_base_ = ['./pool.py']
al = dict(query=dict(type='Random'))

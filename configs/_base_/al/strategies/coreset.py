# Core-Set (Sener & Savarese, ICLR 2018): k-center greedy on the previous
# cycle's pooled backbone features, labelled images as the first centres.
_base_ = ['./pool.py']
al = dict(picker=dict(type='KCenterGreedy'))

# MCDAL (Cho et al., 2021/2022): two auxiliary classifiers trained to
# disagree on unlabelled images; the pool images they disagree on most.
_base_ = ['./pool.py']
al = dict(query=dict(type='MCDAL'), model=dict(type='MCDALEncoderDecoder'))

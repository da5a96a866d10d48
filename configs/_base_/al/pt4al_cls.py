# PT4AL for classification: as for segmentation, top-1 accuracy (%) as the
# summary metric.
_base_ = ['./pt4al.py']
al = dict(metric='accuracy', score_batch_size=256)

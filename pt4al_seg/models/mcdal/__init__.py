"""MCDAL (Cho et al., 2021/2022): two auxiliary classifiers on the task
model's features, trained to agree with the labels and to disagree on the
unlabelled images; their discrepancy ranks the pool. For both families."""
from .classifier import MCDALClassifier
from .heads import discrepancy, mcdal_settings
from .segmentor import MCDALEncoderDecoder

__all__ = [
    'MCDALClassifier', 'MCDALEncoderDecoder', 'discrepancy', 'mcdal_settings'
]

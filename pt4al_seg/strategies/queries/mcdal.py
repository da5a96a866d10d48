"""MCDAL's query (Cho et al., 2021/2022): how much the task model and its two
auxiliary classifiers (``MCDALEncoderDecoder``) disagree.
"""
from typing import Optional

import torch
from torch import Tensor

from ...registry import QUERIES
from .base import StackedQuery, sample_logits

NO_HEADS = ("MCDAL scores a model's auxiliary classifiers: set "
            "model.type='MCDALEncoderDecoder'")


@QUERIES.register_module()
class MCDAL(StackedQuery):
    """Per pixel, the summed L1 distances between the softmax of the task
    model and of its two auxiliary classifiers, over classes, all three pairs
    (the authors' ``sampling.py``: ``l1dist(p1, p2) + l1dist(main, p1) +
    l1dist(main, p2)``); 0 when they agree, 6 at most. Training feeds
    unlabelled batches to the model (``UnlabelledDataHook``, added to the
    run for this query)."""

    al_hooks = [dict(type='UnlabelledDataHook')]
    model_type = 'MCDALEncoderDecoder'

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        main, a1, a2 = probs[0], probs[1], probs[2]
        return sum((p - q).abs().sum(1)
                   for p, q in ((a1, a2), (main, a1), (main, a2)))

    def score_sample(self, sample, valid: Optional[Tensor] = None) -> float:
        if 'aux_logits' not in sample:
            raise RuntimeError(NO_HEADS)
        logits = torch.cat([sample_logits(sample)[None], sample['aux_logits']])
        return self(logits.float().softmax(1)[:, None],
                    None if valid is None else valid[None]).item()

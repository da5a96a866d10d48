"""How well a Learning Loss module orders held-out images by their loss (Yoo &
Kweon, 2019, Fig. 5): the share of image pairs whose predicted-loss order is
their true-loss order."""
from typing import Dict, List

import numpy as np
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from .task_loss import image_task_losses


def ranking_accuracy(pred: List[float],
                     true: List[float],
                     chunk: int = 2048) -> float:
    """Percentage of the pairs with different true losses that the predicted
    losses order the same way (a tie in the prediction orders nothing); in
    blocks of ``chunk`` rows, memory O(chunk x n)."""
    pred, true = np.asarray(pred, np.float64), np.asarray(true, np.float64)
    n, right, counted = len(true), 0, 0
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        later = np.arange(n)[None] > np.arange(start, stop)[:, None]
        d_true = np.sign(true[start:stop, None] - true[None])
        d_pred = np.sign(pred[start:stop, None] - pred[None])
        pairs = later & (d_true != 0)
        counted += int(pairs.sum())
        right += int((pairs & (d_pred == d_true)).sum())
    return 100 * right / counted if counted else float('nan')


@METRICS.register_module()
class LossRankingMetric(BaseMetric):
    """``lpm_rank_acc``: :func:`ranking_accuracy` of each test image's
    ``pred_loss`` (the loss-prediction module's) against its true loss (the
    task loss of :class:`TaskLossMetric`). Added to a cycle's test when the
    model has a loss-prediction module.

    Args:
        ignore_index (int): Label value left out of the true loss. Defaults to
            255.
    """
    default_prefix = None

    def __init__(self, ignore_index: int = 255, **kwargs):
        super().__init__(**kwargs)
        self.ignore_index = ignore_index

    def process(self, data_batch, data_samples) -> None:
        true = image_task_losses(data_samples, self.ignore_index)
        for s, t in zip(data_samples, true):
            self.results.append((float(s['pred_loss']), t))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        pred, true = zip(*results) if results else ((), ())
        return dict(lpm_rank_acc=round(ranking_accuracy(pred, true), 2))

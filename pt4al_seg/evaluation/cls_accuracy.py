from typing import Dict, Sequence

from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class ClsAccuracy(BaseMetric):
    """Top-1 accuracy in percent, reported as ``accuracy``."""

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for s in data_samples:
            self.results.append(int(s['pred_label']) == int(s['gt_label']))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        return dict(accuracy=100.0 * sum(results) / max(len(results), 1))

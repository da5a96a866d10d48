from typing import Dict, Sequence

from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class ClsAccuracy(BaseMetric):
    """Top-1 accuracy in percent, reported as ``accuracy``: an image's
    predicted class is the arg-max of its mean logits (a classifier's are the
    same at every pixel), its true class its one-pixel label map."""

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for s in data_samples:
            pred = s['seg_logits']['data'].float().mean((1, 2)).argmax()
            self.results.append(
                int(pred) == int(s['gt_sem_seg']['data'].flatten()[0]))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        return dict(accuracy=100.0 * sum(results) / max(len(results), 1))

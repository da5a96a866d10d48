import torch.nn.functional as F
from mmseg.models.utils import resize
from mmseg.registry import METRICS

from .image_metric import ImageValueMetric


@METRICS.register_module()
class TaskLossMetric(ImageValueMetric):
    """Each labelled image's task loss: the cross-entropy of its predicted
    logits against its label map averaged over the pixels that are not
    ``ignore_index``. For held-out analysis only: it reads labels.

    Args:
        ignore_index (int): Label value left out. Defaults to 255.
        **kwargs: See :class:`ImageValueMetric`.
    """
    column = 'loss'
    default_prefix = 'task'

    def __init__(self, ignore_index: int = 255, **kwargs):
        super().__init__(**kwargs)
        self.ignore_index = ignore_index

    def image_values(self, data_samples):
        return image_task_losses(data_samples, self.ignore_index)


def image_task_losses(data_samples, ignore_index: int = 255) -> list:
    """Each predicted sample's task loss: pixel-averaged cross-entropy of its
    ``seg_logits`` against ``gt_sem_seg`` (``ignore_index`` left out); logits
    of another size than the label map are resized to it, as mmseg's losses
    do (a classifier's one-pixel map: the image's cross-entropy)."""
    values = []
    for s in data_samples:
        logits = s['seg_logits']['data'][None].float()
        target = s['gt_sem_seg']['data'].to(logits.device).long()
        if logits.shape[-2:] != target.shape[-2:]:
            logits = resize(logits, size=target.shape[-2:], mode='bilinear')
        values.append(
            F.cross_entropy(logits, target, ignore_index=ignore_index).item())
    return values

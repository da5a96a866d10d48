from mmseg.registry import METRICS

from .image_metric import ImageValueMetric


@METRICS.register_module()
class PretextLossMetric(ImageValueMetric):
    """Each image's pretext loss (``data_sample.pretext_loss``) into
    ``losses.csv``."""
    column = 'loss'
    default_prefix = 'pretext'

    def image_values(self, data_samples):
        return [s['pretext_loss'].item() for s in data_samples]

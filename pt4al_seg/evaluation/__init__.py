from .image_scores import PretextLossMetric, UncertaintyScoreMetric, image_id

__all__ = ['PretextLossMetric', 'UncertaintyScoreMetric', 'image_id']

from .fashion_scenes import FashionScenesDataset
from .ids import image_id, sample_id

__all__ = ['FashionScenesDataset', 'image_id', 'sample_id']

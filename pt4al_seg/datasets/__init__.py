from .fashion_scenes import FashionScenesDataset
from .ids import image_id, sample_id
from .label_maps import LoadLabelMap, decode_label_map, read_label_map

__all__ = [
    'FashionScenesDataset', 'image_id', 'sample_id', 'LoadLabelMap',
    'decode_label_map', 'read_label_map'
]

from .classification import (CIFAR10_IMBALANCED, CIFAR10Dataset,
                             ImageListClsDataset)
from .cls_transforms import LoadClsImage, LoadClsLabel, RandomCropPad
from .fashion_scenes import FashionScenesDataset
from .ids import image_id, sample_id
from .label_maps import LoadLabelMap, decode_label_map, read_label_map
from .transforms import PackColorizationInputs, SplitLab

__all__ = [
    'CIFAR10_IMBALANCED', 'CIFAR10Dataset', 'ImageListClsDataset',
    'LoadClsImage', 'LoadClsLabel', 'RandomCropPad', 'FashionScenesDataset',
    'image_id', 'sample_id', 'LoadLabelMap', 'decode_label_map',
    'read_label_map', 'PackColorizationInputs', 'SplitLab'
]

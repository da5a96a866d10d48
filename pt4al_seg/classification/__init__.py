"""The classification config family: datasets, ResNet-18 (CIFAR form),
classifier, metric."""
from .classifier import ImageClassifier
from .datasets import CIFAR10_IMBALANCED, CIFAR10Dataset, ImageListClsDataset
from .metrics import ClsAccuracy
from .resnet_cifar import ResNetCIFAR
from .transforms import LoadClsImage, PackClsInputs, RandomCropPad

__all__ = [
    'ImageClassifier', 'CIFAR10_IMBALANCED', 'CIFAR10Dataset',
    'ImageListClsDataset', 'ClsAccuracy', 'ResNetCIFAR', 'LoadClsImage',
    'PackClsInputs', 'RandomCropPad'
]

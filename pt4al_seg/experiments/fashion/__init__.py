"""The offline data of the demos and tests, built from Fashion-MNIST's IDX
files (``tools/dataset_converters/fashion_scenes.py``): FashionScenes, its
classification view, plain Fashion-MNIST and a Cityscapes-layout stand-in."""
from .build import build

__all__ = ['build']

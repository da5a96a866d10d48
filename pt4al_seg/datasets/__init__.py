from .fashion_scenes import FashionScenesDataset

__all__ = ['FashionScenesDataset']

"""Data transforms of the classification family: an image and its class,
packed by mmseg's ``PackSegInputs`` (the class as a one-pixel label map)."""
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadClsImage(BaseTransform):
    """Load an image from ``img_path``, or keep the array a dataset already
    holds (CIFAR).

    Required Keys: img_path, or img (np.ndarray, BGR uint8).

    Modified Keys: img (always (H, W, 3) BGR uint8).

    Added Keys: img_shape, ori_shape.
    """

    def transform(self, results: dict) -> dict:
        img = results.get('img')
        if img is None:
            img = mmcv.imread(results['img_path'], flag='color')
            if img is None:
                raise OSError(f'cannot read image {results["img_path"]}')
        if img.ndim == 2:
            img = np.repeat(img[:, :, None], 3, axis=2)
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class LoadClsLabel(BaseTransform):
    """An image's class as a one-pixel label map, what mmseg's losses and
    ``PackSegInputs`` take. Like ``LoadAnnotations``, it reads a label:
    scoring pipelines leave it out. The map is not in ``seg_fields``:
    geometric transforms leave it alone.

    Required Keys: gt_label.

    Added Keys: gt_seg_map ((1, 1) uint8).
    """

    def transform(self, results: dict) -> dict:
        results['gt_seg_map'] = np.full((1, 1), results['gt_label'], np.uint8)
        return results


@TRANSFORMS.register_module()
class RandomCropPad(BaseTransform):
    """Pad every side by ``padding`` pixels, then crop ``size`` at a random
    place (CIFAR).

    Required Keys: img. Modified Keys: img, img_shape.

    Args:
        size (int): Side of the square crop. Defaults to 32.
        padding (int): Zero padding on every side. Defaults to 4.
    """

    def __init__(self, size: int = 32, padding: int = 4):
        self.size, self.padding = size, padding

    def transform(self, results: dict) -> dict:
        img = mmcv.impad(results['img'], padding=self.padding, pad_val=0)
        h, w = img.shape[:2]
        y = np.random.randint(0, h - self.size + 1)
        x = np.random.randint(0, w - self.size + 1)
        results['img'] = img[y:y + self.size, x:x + self.size]
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'padding={self.padding})')

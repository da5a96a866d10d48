"""Data transforms of the classification family."""
import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement
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


@TRANSFORMS.register_module()
class PackClsInputs(BaseTransform):
    """Pack an image (and, unless told not to, its label) for a classifier.

    Required Keys: img; gt_label when ``with_label``.

    Added Keys: inputs ((C, H, W) uint8 tensor), data_samples
    (``BaseDataElement`` with ``gt_label`` and the meta keys).

    Args:
        with_label (bool): Pack ``gt_label``. Scoring pipelines of unlabelled
            images set False, so labels never reach the model. Defaults to
            True.
        meta_keys (tuple): Defaults to ``('img_id', 'img_path', 'ori_shape',
            'img_shape')``.
    """

    def __init__(self,
                 with_label: bool = True,
                 meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape')):
        self.with_label = with_label
        self.meta_keys = meta_keys

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 2:
            img = img[:, :, None]
        inputs = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        sample = BaseDataElement(
            metainfo={k: results[k]
                      for k in self.meta_keys if k in results})
        if self.with_label:
            sample.gt_label = torch.tensor(int(results['gt_label']))
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(with_label={self.with_label})'

"""Data transforms of the pretext stage."""
import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SplitLab(BaseTransform):
    """Convert an image to Lab with OpenCV; L becomes the input, ab the target.

    Uses OpenCV's 8-bit conversion (L, a, b all in [0, 255], a and b offset by
    128).

    Required Keys:

    - img (np.ndarray): uint8, BGR (as ``LoadImageFromFile`` gives) or RGB, see
      ``to_rgb``.

    Modified Keys:

    - img: the L channel, (H, W, 1) uint8.

    Added Keys:

    - gt_ab (np.ndarray): (H, W, 2) float32 in [-1, 1], ``(ab - 128) / 128``.

    Args:
        channel_order (str): Order of the input image, ``'bgr'`` or ``'rgb'``.
            Defaults to ``'bgr'``.
    """

    def __init__(self, channel_order: str = 'bgr'):
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(
                f'channel_order must be bgr or rgb, got {channel_order!r}')
        self.channel_order = channel_order

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 2 or img.shape[2] == 1:
            img = cv2.cvtColor(img.reshape(img.shape[:2]), cv2.COLOR_GRAY2BGR)
        if img.dtype != np.uint8:
            img = np.clip(img, 0, 255).astype(np.uint8)
        code = cv2.COLOR_BGR2LAB if self.channel_order == 'bgr' \
            else cv2.COLOR_RGB2LAB
        lab = cv2.cvtColor(img, code)
        results['img'] = lab[:, :, :1]
        results['gt_ab'] = (lab[:, :, 1:].astype(np.float32) - 128.0) / 128.0
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}'
                f'(channel_order={self.channel_order!r})')


@TRANSFORMS.register_module()
class PackColorizationInputs(PackSegInputs):
    """``PackSegInputs`` that also packs the colorization target.

    Required Keys: those of ``PackSegInputs``, and gt_ab (np.ndarray, (H, W,
    2)).

    Added Keys: data_samples.gt_ab (PixelData, (2, H, W) float32).
    """

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        ab = np.ascontiguousarray(results['gt_ab'].transpose(2, 0, 1))
        packed['data_samples'].gt_ab = PixelData(data=torch.from_numpy(ab))
        return packed

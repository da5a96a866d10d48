"""Metrics that gather one number per image over all ranks and write them as csv."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from ..registry import SELECTORS
from ..utils import write_scores


def image_id(img_path: str, img_dir: str, img_suffix: str) -> str:
    """An image's id: its path relative to ``img_dir`` without ``img_suffix`` (the mmseg
    ``ann_file`` line that names it)."""
    rel = osp.relpath(img_path, img_dir)
    if not rel.endswith(img_suffix):
        raise ValueError(f'{img_path} does not end in img_suffix {img_suffix!r}')
    return rel[:len(rel) - len(img_suffix)]


class _ImageScoreMetric(BaseMetric):
    """Collects ``(image id, value)`` for every image, in dataset order.

    mmengine's ``collect_results`` gathers the parts of all ranks and drops the duplicates
    DistributedSampler pads with; ``compute_metrics`` runs on rank 0 only, which writes
    ``out_file``.

    Args:
        img_dir (str): The data set's image folder, to turn paths into ids (samples that
            carry an ``img_id``, as classification ones do, need none).
        img_suffix (str, optional): The data set's image suffix.
        out_file (str, optional): csv to write (``image,<column>``). Defaults to None.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to None.
    """
    column = 'value'
    extra_column = ''

    def __init__(self, img_dir: str, img_suffix: Optional[str], out_file: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.img_dir, self.img_suffix, self.out_file = img_dir, img_suffix, out_file

    def image_values(self, data_samples: Sequence[dict]) -> List:
        """One value per sample: a float, or ``(float, extra)`` for ``extra_column``."""
        raise NotImplementedError

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        values = self.image_values(data_samples)
        for sample, value in zip(data_samples, values):
            img_id = sample.get('img_id') or image_id(sample['img_path'], self.img_dir,
                                                      self.img_suffix)
            value, extra = value if isinstance(value, tuple) else (value, None)
            self.results.append((img_id, float(value), extra))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        values = {r[0]: r[1] for r in results}
        if len(values) != len(results):
            raise RuntimeError(f'{len(results) - len(values)} images were scored twice')
        extras = {r[0]: r[2] for r in results} if self.extra_column else None
        if self.out_file:
            write_scores(self.out_file, values, self.column, extras, self.extra_column)
        arr = np.array(list(values.values()), dtype=np.float64)
        return dict(num_images=len(arr), mean=float(arr.mean()), max=float(arr.max()))


@METRICS.register_module()
class PretextLossMetric(_ImageScoreMetric):
    """Each image's pretext loss (``data_sample.pretext_loss``) into ``losses.csv``."""
    column = 'loss'
    default_prefix = 'pretext'

    def image_values(self, data_samples):
        return [s['pretext_loss'].item() for s in data_samples]


@METRICS.register_module()
class TaskLossMetric(_ImageScoreMetric):
    """Each labelled image's task loss: the cross-entropy of its predicted logits against
    its label map averaged over the pixels that are not ``ignore_index`` (segmentation), or
    of ``pred_logits`` against ``gt_label`` (classification). For held-out analysis only:
    it reads labels.

    Args:
        ignore_index (int): Label value left out. Defaults to 255.
        **kwargs: See :class:`_ImageScoreMetric`.
    """
    column = 'loss'
    default_prefix = 'task'

    def __init__(self, ignore_index: int = 255, **kwargs):
        super().__init__(**kwargs)
        self.ignore_index = ignore_index

    def image_values(self, data_samples):
        values = []
        for s in data_samples:
            if 'seg_logits' in s:
                logits = s['seg_logits']['data'][None].float()
                target = s['gt_sem_seg']['data'].to(logits.device).long()
            else:
                logits = s['pred_logits'][None].float()
                target = torch.as_tensor(s['gt_label']).view(1).to(logits.device).long()
            values.append(F.cross_entropy(logits, target, ignore_index=self.ignore_index).item())
        return values


@METRICS.register_module()
class UncertaintyScoreMetric(_ImageScoreMetric):
    """Each image's uncertainty score from its predicted logits, into ``scores.csv``.

    The logits are mmseg's ``seg_logits`` (padding removed, at the image's own size) or a
    classifier's ``pred_logits``; the selector reduces each image to a scalar on the device,
    so no probability map outlives its batch.

    Args:
        selector (dict): Selector config, e.g. ``dict(type='LeastConfidence')``.
        region_mask (str, optional): Image file; pixels that are 0 there are left out of
            every image's score (resized to each image with nearest neighbour), e.g. a car
            bonnet. Defaults to None.
        image_class (dict, optional): Also write each image's predicted class (column
            ``class``, see :func:`predicted_class`), e.g. ``dict(exclude=[0])``, for
            class-balanced picking. Defaults to None.
        **kwargs: See :class:`_ImageScoreMetric`.
    """
    column = 'score'
    default_prefix = 'al'

    def __init__(self, selector: dict, region_mask: Optional[str] = None,
                 image_class: Optional[dict] = None, **kwargs):
        super().__init__(**kwargs)
        self.selector = SELECTORS.build(selector)
        self.image_class = image_class
        self.extra_column = 'class' if image_class is not None else ''
        self.region_mask = None
        if region_mask is not None:
            mask = cv2.imread(region_mask, cv2.IMREAD_GRAYSCALE)
            if mask is None:
                raise FileNotFoundError(f'region_mask {region_mask} is not a readable image')
            self.region_mask = torch.from_numpy(mask > 0)

    def valid_mask(self, shape: tuple, device) -> Optional[torch.Tensor]:
        if self.region_mask is None:
            return None
        mask = F.interpolate(self.region_mask[None, None].float(), size=shape, mode='nearest')
        return mask[0].bool().to(device)

    def image_values(self, data_samples):
        values = []
        field = getattr(self.selector, 'field', None)
        for s in data_samples:
            if field is not None:  # a score the model predicts itself (Learning Loss)
                values.append(float(s[field]))
                continue
            logits = s['seg_logits']['data'] if 'seg_logits' in s else s['pred_logits']
            valid = self.valid_mask(tuple(logits.shape[-2:]), logits.device) \
                if logits.dim() == 3 else None
            score = self.selector(logits[None], None if valid is None else valid[None]).item()
            if self.image_class is not None:
                score = (score, predicted_class(logits, self.image_class.get('exclude', ())))
            values.append(score)
        return values


def predicted_class(logits: torch.Tensor, exclude=()) -> int:
    """An image's class for class-balanced sampling: a classifier's argmax; for
    segmentation the class predicted on most pixels, not counting ``exclude`` (e.g. the
    background), or the overall most frequent class when only excluded ones are predicted."""
    if logits.dim() == 1:
        return int(logits.argmax())
    counts = torch.bincount(logits.argmax(0).flatten(), minlength=logits.shape[0])
    kept = counts.clone()
    kept[list(exclude)] = 0
    return int(kept.argmax() if kept.sum() > 0 else counts.argmax())


@METRICS.register_module()
class FeatureMetric(BaseMetric):
    """Each image's pooled backbone feature (``data_sample.pooled_feat``, attached by
    ``ScoreLoop(features=True)``), gathered over ranks into an ``.npz`` (``ids``,
    ``features``) for Core-Set.

    Args:
        img_dir, img_suffix: As for :class:`_ImageScoreMetric`.
        out_file (str): The ``.npz`` to write.
    """
    default_prefix = 'features'

    def __init__(self, img_dir: str, img_suffix: Optional[str], out_file: str,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.img_dir, self.img_suffix, self.out_file = img_dir, img_suffix, out_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for s in data_samples:
            img_id = s.get('img_id') or image_id(s['img_path'], self.img_dir, self.img_suffix)
            self.results.append((img_id, s['pooled_feat'].float().cpu().numpy()))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        ids = [r[0] for r in results]
        if len(set(ids)) != len(ids):
            raise RuntimeError(f'{len(ids) - len(set(ids))} images were scored twice')
        tmp = f'{self.out_file}.tmp{os.getpid()}.npz'
        np.savez(tmp, ids=np.array(ids), features=np.stack([r[1] for r in results]))
        os.replace(tmp, self.out_file)
        return dict(num_images=len(ids))

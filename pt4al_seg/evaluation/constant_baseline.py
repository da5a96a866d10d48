"""The mIoU of a constant prediction (e.g. background everywhere): the floor an
AL curve must clear to show the model learnt anything."""
import copy
from typing import Optional

import numpy as np
import torch
from mmengine.registry import init_default_scope
from mmseg.evaluation import IoUMetric
from mmseg.registry import DATASETS


def constant_prediction_miou(dataset_cfg: dict,
                             label: int = 0,
                             scope: str = 'mmseg',
                             palette: Optional[dict] = None) -> float:
    """mIoU (%) of predicting ``label`` for every pixel of a labelled dataset.

    Computed with mmseg's own ``IoUMetric`` arithmetic over the dataset's label
    maps.

    Args:
        dataset_cfg (dict): A labelled dataset config (e.g.
            ``test_dataloader.dataset``).
        label (int): The constant class. Defaults to 0 (background).
        scope (str): Registry scope. Defaults to ``'mmseg'``.
        palette (dict, optional): Colours of colour-coded label maps (see
            :class:`LoadLabelMap`). Defaults to None.

    Returns:
        float: The mIoU in percent, rounded to 2 decimals as ``IoUMetric``
            does.
    """
    init_default_scope(scope)
    cfg = copy.deepcopy(dataset_cfg)
    cfg['pipeline'] = [dict(type='LoadLabelMap', palette=palette)]
    dataset = DATASETS.build(cfg)
    num_classes = len(dataset.metainfo['classes'])
    ignore = dataset.ignore_index
    totals = [torch.zeros(num_classes, dtype=torch.float64) for _ in range(4)]
    for i in range(len(dataset)):
        gt = torch.from_numpy(dataset[i]['gt_seg_map']).long()
        pred = torch.full_like(gt, label)
        for total, part in zip(
                totals,
                IoUMetric.intersect_and_union(pred, gt, num_classes, ignore)):
            total += part.double()
    metrics = IoUMetric.total_area_to_metrics(*totals, metrics=['mIoU'])
    return float(np.round(np.nanmean(metrics['IoU']) * 100, 2))

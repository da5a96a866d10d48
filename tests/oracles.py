"""Reference answers written independently of the code under test: the
methods as their papers state them, one pair or one image at a time."""
import math
import os
from typing import Dict, List, Sequence


def naive_farthest_first(candidates: Sequence[Sequence[float]],
                         labelled: Sequence[Sequence[float]],
                         k: int) -> List[int]:
    """k-center greedy (Sener & Savarese, 2018, Alg. 1): k times, the
    candidate whose nearest centre (labelled or picked) is farthest; the
    first such candidate on ties."""
    centres = [list(x) for x in labelled]
    picked: List[int] = []
    for _ in range(k):
        best, best_dist = None, -1.0
        for i, x in enumerate(candidates):
            if i in picked:
                continue
            dist = min((math.dist(x, c) for c in centres), default=math.inf)
            if dist > best_dist:
                best, best_dist = i, dist
        picked.append(best)
        centres.append(list(candidates[best]))
    return picked


def naive_class_rounds(scores: Dict[str, float], classes: Dict[str, int],
                       k: int) -> List[str]:
    """Rounds over the classes in ascending order; in each, a class with
    images left gives its highest-scored one (ties: the smaller id)."""
    left = dict(scores)
    picked: List[str] = []
    while len(picked) < k:
        for cls in sorted(set(classes.values())):
            mine = [i for i in left if classes[i] == cls]
            if mine and len(picked) < k:
                best = max(mine, key=lambda i: (left[i], [-ord(c) for c in i]))
                picked.append(best)
                del left[best]
    return picked


def naive_ranking_loss(pred: Sequence[float], target: Sequence[float],
                       margin: float) -> float:
    """Learning Loss (Yoo & Kweon, 2019, Eq. 2): the batch split in halves,
    image i paired with image i + B/2; per pair max(0, -sign(l_i - l_j) *
    (p_i - p_j) + margin), averaged over the pairs."""
    half = len(pred) // 2
    total = 0.0
    for i in range(half):
        j = i + half
        sign = 1.0 if target[i] > target[j] else -1.0
        total += max(0.0, -sign * (pred[i] - pred[j]) + margin)
    return total / half


def miou_by_hand(config,
                 checkpoint,
                 img_dir,
                 ann_dir,
                 num_classes,
                 ignore_index=255):
    """The mIoU (%, 2 decimals, as mmseg reports it) of a checkpoint over
    every image of ``img_dir``: predictions from mmseg's inference API, the
    per-class intersections and unions counted here (a class absent from both
    predictions and labels is left out of the mean)."""
    import cv2
    import numpy as np
    from mmseg.apis import inference_model, init_model
    model = init_model(config, checkpoint, device='cpu')
    inter, union = np.zeros(num_classes), np.zeros(num_classes)
    for name in sorted(os.listdir(img_dir)):
        pred = inference_model(model, os.path.join(
            img_dir, name)).pred_sem_seg.data[0].numpy()
        label = cv2.imread(os.path.join(ann_dir, name), cv2.IMREAD_UNCHANGED)
        valid = label != ignore_index
        for c in range(num_classes):
            p, g = (pred == c) & valid, (label == c) & valid
            inter[c] += (p & g).sum()
            union[c] += (p | g).sum()
    seen = union > 0
    return round(float((inter[seen] / union[seen]).mean()) * 100, 2)


def naive_max_coverage(points: Sequence[Sequence[float]], num_labelled: int,
                       delta: float, k: int) -> List[int]:
    """ProbCover's greedy (Yehuda et al., 2022, Alg. 1) pair by pair: points
    within distance < delta of a labelled point start covered; k times (while
    some candidate's ball holds an uncovered point) the candidate covering
    the most uncovered points, the first on ties. Candidate indices from 0."""
    n = len(points)
    ball = [[j for j in range(n) if math.dist(points[i], points[j]) < delta]
            for i in range(n)]
    covered = set()
    for i in range(num_labelled):
        covered.update(ball[i])
    picked: List[int] = []
    while len(picked) < k:
        best, best_gain = None, 0
        for i in range(num_labelled, n):
            gain = len(set(ball[i]) - covered)
            if i - num_labelled not in picked and gain > best_gain:
                best, best_gain = i, gain
        if best is None:
            break
        picked.append(best - num_labelled)
        covered.update(ball[best])
    return picked


def pretext_by_hand(config: str, work_dir: str, img_dir: str,
                    ids: Sequence[str], output) -> dict:
    """``output(model, data)`` of each image alone, under a run's
    ``pretext/model.pth``: the config's pretext model (the task model's
    backbone), its score pipeline and data preprocessor (``data``: its
    ``inputs`` and ``data_samples``), in eval mode without gradients."""
    import torch
    from mmengine.config import Config
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    cfg = Config.fromfile(config)
    model = MODELS.build(dict(cfg.pretext.model, backbone=cfg.model.backbone))
    load_checkpoint(
        model,
        os.path.join(work_dir, 'pretext', 'model.pth'),
        strict=True,
        logger='silent')
    model.eval()
    pipeline = Compose(cfg.pretext.score_pipeline)
    out = {}
    for i in ids:
        packed = pipeline(
            dict(
                img_path=os.path.join(img_dir, f'{i}.png'),
                seg_fields=[],
                reduce_zero_label=False))
        with torch.no_grad():
            out[i] = output(
                model,
                model.data_preprocessor(pseudo_collate([packed]), False))
    return out

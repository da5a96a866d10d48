"""What a strategy's parts declared, collected per image in one scoring pass.
"""
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
import torch
from mmseg.registry import METRICS

from ..datasets.ids import sample_id
from ..registry import QUERIES
from ..strategies.pickers import boundary_distances, gradient_embedding
from ..strategies.queries import region_valid
from ..utils import write_features, write_scores
from .image_metric import unique_by_id
from .score_shards import ShardedMetric

# What a picker may ask of the last layer -> (the array in features.npz, its
# value for a sample with head_feat, head_logits, head_weight and a valid
# mask).
HEAD_OUTPUTS = {
    'gradient_embedding':
    ('gradient_embeddings', lambda s, valid: gradient_embedding(
        s['head_feat'], s['head_logits'], valid)),
    'boundary_distance':
    ('boundary_distances', lambda s, valid: boundary_distances(
        s['head_logits'], s['head_weight'], valid)),
}


@METRICS.register_module()
class StrategyOutputsMetric(ShardedMetric):
    """Per image, what the strategy's query and picker need: the query's score,
    the predicted class, the pooled backbone feature. Each image is reduced on
    the device as its batch arrives (no probability map outlives its batch);
    rank 0 writes the files. With ``shard_dir`` the rows are kept as they are
    computed (:class:`ShardedMetric`): a killed pass resumes.

    Args:
        img_dir (str): The data set's image folder (ids from paths).
        img_suffix (str, optional): The data set's image suffix.
        query (dict, optional): Query config; its per-image score goes to
            ``scores_file`` (``image,score``). Defaults to None.
        region_mask (str, optional): Image file; pixels that are 0 there are
            left out of every image's score (resized to each image with nearest
            neighbour). Defaults to None.
        image_class (dict, optional): Also write each image's predicted class
            (column ``class``, see :func:`predicted_class`), e.g.
            ``dict(exclude=[0])``. Defaults to None.
        features_file (str, optional): Write each image's ``pooled_feat``
            (attached by ``ScoreLoop(features=True)``) into this ``.npz``
            (``ids``, ``features``), and its gradient embedding when
            ``head_outputs``. Defaults to None.
        head_outputs (sequence of str): What to compute per image from its
            last layer's input and output (``head_feat``, ``head_logits``,
            ``head_weight``, attached by ``ScoreLoop(head_io=True)``; region
            mask applied) into ``features_file``: ``'gradient_embedding'``
            (BADGE, array ``gradient_embeddings``), ``'boundary_distance'``
            (BASE, array ``boundary_distances``). Defaults to ().
        scores_file (str, optional): The scores csv. Defaults to None.
        **kwargs: ``shard_dir`` and ``ids_file`` (see
            :class:`ShardedMetric`), ``collect_device`` and ``prefix``.
    """
    default_prefix = 'al'

    def __init__(self,
                 img_dir: str,
                 img_suffix: Optional[str],
                 query: Optional[dict] = None,
                 region_mask: Optional[str] = None,
                 image_class: Optional[dict] = None,
                 features_file: Optional[str] = None,
                 scores_file: Optional[str] = None,
                 head_outputs: Sequence[str] = (),
                 **kwargs):
        super().__init__(**kwargs)
        self.img_dir, self.img_suffix = img_dir, img_suffix
        self.query = QUERIES.build(query) if query is not None else None
        self.image_class, self.features_file = image_class, features_file
        self.scores_file, self.head_outputs = scores_file, tuple(head_outputs)
        self.region_mask = None
        if region_mask is not None:
            mask = cv2.imread(region_mask, cv2.IMREAD_GRAYSCALE)
            if mask is None:
                raise FileNotFoundError(
                    f'region_mask {region_mask} is not a readable image')
            self.region_mask = torch.from_numpy(mask > 0)

    def _valid(self, maps: torch.Tensor) -> Optional[torch.Tensor]:
        """The region mask at the size of ``maps`` (None: no mask, or no
        map)."""
        if self.region_mask is None or maps.dim() < 3:
            return None
        return region_valid(self.region_mask, tuple(maps.shape[-2:]),
                            maps.device)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for s in data_samples:
            score = cls = feat = None
            if self.query is not None and self.query.needs_model:
                valid = self._valid(s['seg_logits']['data']) \
                    if 'seg_logits' in s else None
                score = self.query.score_sample(s, valid)
            if self.image_class is not None:
                cls = predicted_class(s['seg_logits']['data'],
                                      self.image_class.get('exclude', ()))
            if self.features_file and 'pooled_feat' in s:
                feat = s['pooled_feat'].float().cpu().numpy()
            head = {
                name:
                HEAD_OUTPUTS[name][1](s, self._valid(
                    s['head_logits'])).cpu().numpy()
                for name in self.head_outputs
            }
            self.results.append(
                (sample_id(s, self.img_dir,
                           self.img_suffix), score, cls, feat, head))
        self.flush()

    def compute_metrics(self, results: list) -> Dict[str, float]:
        unique_by_id([(r[0], r) for r in results])
        results = self.all_rows(results)
        ids = [r[0] for r in results]
        out = dict(num_images=len(ids))
        if self.query is not None and self.scores_file:
            scores = {r[0]: r[1] for r in results}
            if not self.query.needs_model:  # e.g. Random: from the ids
                scores = dict(zip(ids, self.query.score_ids(ids)))
            classes = {
                r[0]: r[2]
                for r in results
            } if self.image_class is not None else None
            write_scores(self.scores_file, scores, 'score', classes, 'class')
            arr = np.array(list(scores.values()), dtype=np.float64)
            out.update(mean=float(arr.mean()), max=float(arr.max()))
        if self.features_file:
            arrays = {
                HEAD_OUTPUTS[name][0]: np.stack([r[4][name] for r in results])
                for name in self.head_outputs
            }
            feats = [r[3] for r in results]
            if any(f is not None for f in feats):
                if any(f is None for f in feats):
                    raise RuntimeError('the scoring pass attached pooled '
                                       'features to some images only')
                arrays['features'] = np.stack(feats)
            write_features(self.features_file, ids, **arrays)
        self.drop_shards()
        return out


def predicted_class(logits: torch.Tensor, exclude=()) -> int:
    """An image's class for class-balanced sampling: the class predicted on
    most pixels, not counting ``exclude`` (e.g. the background), or the
    overall most frequent class when only excluded ones are predicted (a
    classifier predicts one class at every pixel)."""
    counts = torch.bincount(
        logits.argmax(0).flatten(), minlength=logits.shape[0])
    kept = counts.clone()
    kept[list(exclude)] = 0
    return int(kept.argmax() if kept.sum() > 0 else counts.argmax())

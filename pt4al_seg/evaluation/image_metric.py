"""The shape of every per-image metric: one value per image, gathered over all
ranks."""
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..datasets.ids import sample_id
from ..utils import write_features, write_scores
from .score_shards import ShardedMetric


class ImageValueMetric(ShardedMetric):
    """Collects ``(image id, value, feature)`` for every image, in dataset
    order.

    mmengine's ``collect_results`` gathers the parts of all ranks and drops the
    duplicates DistributedSampler pads with; ``compute_metrics`` runs on rank 0
    only, which writes ``out_file``. With ``shard_dir`` the rows are kept as
    they are computed (:class:`ShardedMetric`).

    Args:
        img_dir (str): The data set's image folder, to turn paths into ids
            (samples that carry an ``img_id``, as classification ones do, need
            none).
        img_suffix (str, optional): The data set's image suffix.
        out_file (str, optional): csv to write (``image,<column>``). Defaults
            to None.
        features_file (str, optional): Also write each image's
            ``pooled_feat`` (``ScoreLoop(features=True)``) into this
            ``features.npz``. Defaults to None.
        **kwargs: ``shard_dir`` and ``ids_file`` (see
            :class:`ShardedMetric`), ``collect_device`` and ``prefix``.
    """
    column = 'value'

    def __init__(self,
                 img_dir: str,
                 img_suffix: Optional[str],
                 out_file: Optional[str] = None,
                 features_file: Optional[str] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.img_dir, self.img_suffix = img_dir, img_suffix
        self.out_file, self.features_file = out_file, features_file

    def image_values(self, data_samples: Sequence[dict]) -> List[float]:
        """One value per sample."""
        raise NotImplementedError

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample, value in zip(data_samples,
                                 self.image_values(data_samples)):
            feat = sample['pooled_feat'].float().cpu().numpy(
            ) if self.features_file else None
            self.results.append(
                (sample_id(sample, self.img_dir,
                           self.img_suffix), float(value), feat))
        self.flush()

    def compute_metrics(self, results: list) -> Dict[str, float]:
        unique_by_id(results)
        rows = self.all_rows(results)
        values = {r[0]: r[1] for r in rows}
        if self.out_file:
            write_scores(self.out_file, values, self.column)
        if self.features_file:
            write_features(
                self.features_file,
                list(values),
                features=np.stack([r[2] for r in rows]))
        self.drop_shards()
        arr = np.array(list(values.values()), dtype=np.float64)
        return dict(
            num_images=len(arr), mean=float(arr.mean()), max=float(arr.max()))


def unique_by_id(results: list) -> dict:
    """``{id: value}`` from ``(id, value)`` rows; an id twice is a bug (double
    scoring)."""
    values = {r[0]: r[1] for r in results}
    if len(values) != len(results):
        raise RuntimeError(
            f'{len(results) - len(values)} images were scored twice')
    return values

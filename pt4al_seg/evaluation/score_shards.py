"""A scoring pass kept as it is computed, so that a killed pass resumes.

Each rank writes the rows its metric collected from a batch into
``<out_dir>/score_shards/v2-<pass>-rank<r>-<batch>.pkl``
(``v2``: :data:`FORMAT`), atomically (a temporary
name, then ``os.replace``). ``--resume`` after a kill reads them back
(:func:`shard_rows`) and scores only the images they lack; the metric then
writes its files from both, in the order of the pass's id list, exactly as an
uninterrupted pass would, and rank 0 removes the shards.
"""
import os
import os.path as osp
import pickle
import shutil
import uuid
from typing import Dict, List, Optional

from mmengine.dist import get_rank
from mmengine.evaluator import BaseMetric

from ..utils import read_ids

SHARD_DIR = 'score_shards'
#: Prefix of this version's shard files: shards of a version whose rows had
#: another shape (e.g. before pooled features joined the pretext losses) are
#: not read back, their images are scored again.
FORMAT = 'v2'


def shard_dir_of(out_dir: str) -> str:
    """Where the scoring pass of ``out_dir`` (``pretext``, ``cycle_XX``) keeps
    its shards."""
    return osp.join(out_dir, SHARD_DIR)


def shard_rows(shard_dir: str) -> Dict[str, tuple]:
    """Id to row of every complete shard in ``shard_dir`` (none if it does not
    exist)."""
    rows = {}
    if not osp.isdir(shard_dir):
        return rows
    for name in sorted(os.listdir(shard_dir)):
        if name.startswith(f'{FORMAT}-') and name.endswith(
                '.pkl') and '.tmp' not in name:
            with open(osp.join(shard_dir, name), 'rb') as f:
                for row in pickle.load(f):
                    rows.setdefault(row[0], row)
    return rows


class ShardedMetric(BaseMetric):
    """A per-image metric (rows ``(id, ...)``) whose rows are written to
    shards batch by batch and merged back when the outputs are computed.

    Subclasses call :meth:`flush` at the end of ``process`` and take their
    rows from :meth:`all_rows` in ``compute_metrics``.

    Args:
        shard_dir (str, optional): Where to keep the shards; None keeps
            none. Defaults to None.
        ids_file (str, optional): Every id of the pass, in order (the pass
            itself may run over fewer: those the shards lack). Defaults to
            None.
        **kwargs: As for ``BaseMetric``.
    """

    def __init__(self,
                 shard_dir: Optional[str] = None,
                 ids_file: Optional[str] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.shard_dir, self.ids_file = shard_dir, ids_file
        self._pass = uuid.uuid4().hex[:12]
        self._flushed = self._shards = 0

    def flush(self) -> None:
        """Write the rows collected since the last flush into a new shard."""
        self._flushed = min(self._flushed, len(self.results))
        rows = self.results[self._flushed:]
        if self.shard_dir is None or not rows:
            return
        os.makedirs(self.shard_dir, exist_ok=True)
        path = osp.join(
            self.shard_dir, f'{FORMAT}-{self._pass}-rank{get_rank()}-'
            f'{self._shards:06d}.pkl')
        tmp = f'{path}.tmp'
        with open(tmp, 'wb') as f:
            pickle.dump(list(rows), f)
        os.replace(tmp, path)
        self._flushed, self._shards = len(self.results), self._shards + 1

    def all_rows(self, results: List[tuple]) -> List[tuple]:
        """``results`` (gathered from every rank) with the rows of earlier,
        interrupted passes, in the order of ``ids_file``."""
        if self.shard_dir is None:
            return results
        rows = shard_rows(self.shard_dir)
        rows.update((r[0], r) for r in results)
        order = read_ids(self.ids_file) if self.ids_file else list(rows)
        missing = [i for i in order if i not in rows]
        if missing:
            raise RuntimeError(f'the scoring pass has no result for '
                               f'{len(missing)} images, e.g. {missing[0]}')
        return [rows[i] for i in order]

    def drop_shards(self) -> None:
        """After the outputs are written (rank 0)."""
        if self.shard_dir is not None:
            shutil.rmtree(self.shard_dir, ignore_errors=True)

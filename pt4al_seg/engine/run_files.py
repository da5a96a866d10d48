"""The files of a run (``shared/DESIGN.md``'s output contract), written by rank
0 only.

Every writer is a no-op on the other ranks (mmengine's ``master_only``); the
ranks meet at one barrier before a phase Runner reads what rank 0 wrote and
when a phase is recorded (:meth:`ActiveLearningRunner.mark`).
"""
import os
import os.path as osp
from typing import Dict, List, Optional

from mmengine.dist import master_only

from ..utils import read_ids, write_ids, write_scores
from .phase_hooks.snapshot_hook import START, snapshot_name


class RunFiles:
    """Paths of a run's files and their rank-0 writers.

    Args:
        work_dir (str): The run's work dir.
    """

    def __init__(self, work_dir: str):
        self.work_dir = osp.abspath(work_dir)

    def check_writable(self) -> None:
        """The work dir exists or can be created, and can be written."""
        from ..utils.errors import ALConfigError
        existing = self.work_dir
        while not osp.exists(existing):
            existing = osp.dirname(existing)
        if not osp.isdir(existing):
            raise ALConfigError(f'work dir {self.work_dir}: {existing} is a '
                                'file, not a folder')
        if not os.access(existing, os.W_OK):
            raise ALConfigError(f'work dir {self.work_dir}: {existing} is not '
                                'writable')

    def path(self, *parts: str) -> str:
        return osp.join(self.work_dir, *parts)

    def cycle(self, cycle: int, *parts: str) -> str:
        """``<work_dir>/cycle_XX[/parts]``."""
        return self.path(f'cycle_{cycle:02d}', *parts)

    def members(self, committee: dict, cycle: int) -> List[str]:
        """The checkpoints of the members ``committee`` (a committee query's,
        see :class:`~pt4al_seg.engine.hooks.CommitteeHook`) keeps beside
        cycle ``cycle - 1``'s model, in the order the scoring pass stacks
        them: the extra seeded trainings, the snapshots, the model before."""
        model = cycle - 1
        out = [
            self.cycle(model, 'committee', f'member_{k}', 'model.pth')
            for k in range(1,
                           committee.get('seeds', 0) + 1)
        ]
        out += [
            self.cycle(model, snapshot_name(k))
            for k in range(1,
                           committee.get('snapshots', 0) + 1)
        ]
        if committee.get('previous_cycle', False):
            out.append(
                self.cycle(model -
                           1, 'model.pth') if model else self.cycle(0, START))
        return out

    @property
    def pool(self) -> str:
        return self.path('pool.txt')

    @property
    def state(self) -> str:
        return self.path('al_state.json')

    def labelled(self, cycle: int) -> List[str]:
        """The ids labelled up to and including ``cycle`` (none before cycle
        0)."""
        return read_ids(self.cycle(cycle,
                                   'labelled.txt')) if cycle >= 0 else []

    @master_only
    def write_ids(self, path: str, ids: List[str]) -> None:
        write_ids(path, ids)

    @master_only
    def write_scores(self,
                     path: str,
                     scores: Dict[str, float],
                     column: str = 'score',
                     extra: Optional[Dict[str, object]] = None,
                     extra_column: str = '') -> None:
        write_scores(path, scores, column, extra, extra_column)

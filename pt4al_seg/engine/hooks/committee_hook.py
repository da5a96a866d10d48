import os.path as osp
from typing import Optional

from ...registry import AL_HOOKS
from ...utils.errors import ALConfigError
from ..phase_hooks.snapshot_hook import SnapshotHook, snapshot_interval
from .al_hook import ALHook


@AL_HOOKS.register_module()
class CommitteeHook(ALHook):
    """Keeps the models a query compares the scoring model with (its
    *members*, :class:`~pt4al_seg.strategies.queries.MemberQuery`); the run
    adds it for such a query. The scoring pass of cycle i reads cycle i-1's
    model and, in this order (:meth:`RunFiles.members`):

    * ``seeds``: as many more trainings of cycle i-1's model on the same
      labelled images, member k seeded with the run's seed + k, run before
      the scoring pass in ``cycle_XX/committee/member_<k>/`` (each resumes as
      a cycle's training does; the last cycle's model scores nothing, so
      gets no members);
    * ``snapshots``: its weights k x ``interval`` iterations before the end of
      its training (``cycle_XX/snapshot_<k>.pth``, k = 1..``snapshots``; as
      large as ``model.pth`` each);
    * ``previous_cycle``: cycle i-2's model; cycle 0's starting weights
      (``cycle_00/snapshot_start.pth``) when i = 1.

    Args:
        seeds (int): Extra seeded trainings. Defaults to 0.
        snapshots (int): Snapshots. Defaults to 0.
        interval (int, optional): Iterations between snapshots. Defaults to
            None (a tenth of the training's).
        previous_cycle (bool): The previous cycle's model. Defaults to False.
    """

    def __init__(self,
                 seeds: int = 0,
                 snapshots: int = 0,
                 interval: Optional[int] = None,
                 previous_cycle: bool = False):
        self.seeds, self.snapshots = seeds, snapshots
        self.interval, self.previous_cycle = interval, previous_cycle

    def check(self, runner) -> None:
        if not self.snapshots:
            return
        iters, what = first_cycle_iters(runner.cfg, runner.settings.budget)
        if iters is None:
            return
        interval = snapshot_interval(self.interval, iters)
        if self.snapshots * interval >= iters:
            raise ALConfigError(
                f'{self.snapshots} snapshots {interval} iterations apart '
                f'need more than {what}: lower the query\'s interval or its '
                'members')

    def before_train(self, runner, cycle: int, phase_runner) -> None:
        """Keep the snapshots (and starting weights) of cycle ``cycle``'s
        training; the last cycle's model scores nothing."""
        if cycle == runner.settings.num_cycles - 1:
            return
        start = self.previous_cycle and cycle == 0
        if self.snapshots or start:
            phase_runner.register_hook(
                SnapshotHook(self.snapshots, self.interval, start))

    def before_select(self, runner, cycle: int) -> None:
        """Train cycle ``cycle - 1``'s seeded members that are not there."""
        model = cycle - 1
        for k in range(1, self.seeds + 1):
            out = runner.files.cycle(model, 'committee', f'member_{k}')
            if not osp.isfile(osp.join(out, 'model.pth')):
                runner.train_model(model, out, member=k)


def first_cycle_iters(cfg, budget: int):
    """The iterations of cycle 0's training (the shortest: the fewest labelled
    images) per process and how the config sets them; None when unknown."""
    from mmengine.dist import get_world_size
    train_cfg = cfg.get('train_cfg') or {}
    if train_cfg.get('max_iters'):
        iters = train_cfg['max_iters']
        return iters, f'train_cfg.max_iters={iters} iterations'
    if train_cfg.get('max_epochs') and budget:
        per_step = cfg.train_dataloader.batch_size * get_world_size()
        iters = train_cfg['max_epochs'] * -(-budget // per_step)
        return iters, (f'the {iters} iterations of cycle 0 '
                       f'(train_cfg.max_epochs={train_cfg["max_epochs"]} of '
                       f'{budget} images in batches of {per_step})')
    return None, ''

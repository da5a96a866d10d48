import os
import os.path as osp
import re
from typing import List, Optional

from ...registry import AL_HOOKS
from .. import phase_configs as pc
from ..phase_hooks.snapshot_hook import (START, SnapshotHook,
                                         snapshot_interval, snapshot_name)
from ..timings import timed
from .al_hook import ALHook

_CYCLE = re.compile(r'cycle_(\d+)$')


@AL_HOOKS.register_module()
class CommitteeHook(ALHook):
    """Keeps the models a query compares the scoring model with (its
    *members*, :class:`~pt4al_seg.strategies.queries.MemberQuery`); the run
    adds it for such a query. The scoring pass of cycle i reads cycle i-1's
    model and, in this order:

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
        from ..settings import ALConfigError
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

    def before_phase(self, runner, phase: str, phase_runner) -> None:
        match = _CYCLE.match(phase)
        cycle = int(match.group(1)) if match else -1
        if cycle < 0 or cycle == runner.settings.num_cycles - 1:
            return  # the last cycle's model scores nothing
        start = self.previous_cycle and cycle == 0
        if self.snapshots or start:
            phase_runner.register_hook(
                SnapshotHook(self.snapshots, self.interval, start))

    def before_score(self, runner, cycle: int) -> None:
        """Train cycle ``cycle - 1``'s seeded members that are not there."""
        model = cycle - 1
        for k in range(1, self.seeds + 1):
            out = runner.files.cycle(model, 'committee', f'member_{k}')
            if osp.isfile(osp.join(out, 'model.pth')):
                continue
            self._train_member(runner, model, k, out)

    def _train_member(self, runner, cycle: int, k: int, out: str) -> None:
        # phases imports this package (its Runner's own hooks)
        from ..phases import dump_config, initial_weights
        resume = runner.resume_training(out)
        init = None if resume else initial_weights(runner.settings.init,
                                                   runner.files, cycle,
                                                   runner.pretext_checkpoint)
        c = pc.cycle_config(runner.cfg, out,
                            runner.files.cycle(cycle, 'labelled.txt'), init,
                            resume, runner.pool.palette)
        seed = (c.get('randomness') or {}).get('seed')
        c['randomness'] = dict(
            c.get('randomness') or {}, seed=None if seed is None else seed + k)
        os.makedirs(out, exist_ok=True)
        dump_config(c, osp.join(out, 'config.py'))
        phase = f'cycle_{cycle:02d}_member_{k}'
        phase_runner = runner.run_phase(c, phase)
        runner.log(f'cycle {cycle:02d}: training committee member {k} of '
                   f'{self.seeds} (seed {c["randomness"]["seed"]})')
        with timed(runner.state.seconds, f'{phase}.train'):
            phase_runner.train()

    def score_members(self, runner, cycle: int) -> List[str]:
        files, model = runner.files, cycle - 1
        out = [
            files.cycle(model, 'committee', f'member_{k}', 'model.pth')
            for k in range(1, self.seeds + 1)
        ]
        out += [
            files.cycle(model, snapshot_name(k))
            for k in range(1, self.snapshots + 1)
        ]
        if self.previous_cycle:
            out.append(
                files.cycle(model - 1, 'model.pth') if model else files.
                cycle(0, START))
        return out


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

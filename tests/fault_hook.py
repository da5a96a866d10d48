"""Fault injection for the resume tests, added to a config as any user's AL
hook is (``data/demo_with_faults.py``): ``PT4AL_KILL_AT=<point>`` makes the
process SIGKILL itself there, as a preemption would; unset (on ``--resume``),
the hook does nothing.

Points: ``<phase>:before-mark`` (the phase's files are written,
``al_state.json`` does not record it yet) for every phase, and
``train:<phase>:<iters>`` (inside the training of ``pretext`` or ``cycle_XX``,
after that many iterations), ``score:<phase>:<batches>`` (inside the scoring
pass of ``pretext`` or ``score_XX``, after that many batches).
"""
import os
import signal

from mmengine.hooks import Hook

from pt4al_seg.engine import ALHook
from pt4al_seg.registry import AL_HOOKS

ENV = 'PT4AL_KILL_AT'


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillAfterHook(Hook):
    """Dies after ``iters`` iterations of the phase's training (``'train'``)
    or scoring (``'score'``) loop."""

    priority = 'LOWEST'

    def __init__(self, loop: str, iters: int):
        self.loop, self.iters = loop, iters

    def _count(self, loop: str, done: int) -> None:
        if loop == self.loop and done >= self.iters:
            die()

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        self._count('train', runner.iter + 1)

    def after_test_iter(self,
                        runner,
                        batch_idx,
                        data_batch=None,
                        outputs=None) -> None:
        self._count('score', batch_idx + 1)


@AL_HOOKS.register_module()
class FaultInjectionHook(ALHook):
    """Kills the run at the point named by ``PT4AL_KILL_AT``."""

    priority = 'LOWEST'

    def before_phase(self, runner, phase, phase_runner) -> None:
        parts = os.environ.get(ENV, '').split(':')
        if len(parts) == 3 and parts[0] in ('train', 'score') \
                and parts[1] == phase:
            phase_runner.register_hook(KillAfterHook(parts[0], int(parts[2])))

    def after_phase(self, runner, phase) -> None:
        if os.environ.get(ENV) == f'{phase}:before-mark':
            die()

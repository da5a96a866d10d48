"""Fault injection for the resume tests: ``PT4AL_KILL_AT=<point>`` makes the process
SIGKILL itself at that point, as a preemption would. Unset (always, outside tests), nothing
happens.

Points: ``<phase>:before-mark`` (the phase's files are written, al_state.json does not
record it yet) for every phase; ``ranked:partial`` (some batch files written);
``report:partial`` (summary.png written, summary.csv not); ``train:<phase>:<iter>`` (inside
the training of ``pretext`` or ``cycle_XX``, after that many iterations).
"""
import os
import signal

from mmengine.hooks import Hook

ENV = 'PT4AL_KILL_AT'


def kill_point(name: str) -> None:
    """Die here if ``PT4AL_KILL_AT`` names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class KillAtIterHook(Hook):
    """Dies after ``iters`` training iterations (``PT4AL_KILL_AT=train:<phase>:<iters>``)."""

    priority = 'LOWEST'

    def __init__(self, iters: int):
        self.iters = iters

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if runner.iter + 1 >= self.iters:
            os.kill(os.getpid(), signal.SIGKILL)


def kill_hook(phase: str):
    """The hook for ``train:<phase>:<iters>``, or None."""
    value = os.environ.get(ENV, '')
    parts = value.split(':')
    if len(parts) == 3 and parts[0] == 'train' and parts[1] == phase:
        return KillAtIterHook(int(parts[2]))
    return None

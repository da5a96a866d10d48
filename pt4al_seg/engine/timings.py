"""The wall time of each step of a run: kept in ``al_state.json``
(``seconds``), written as ``timings.csv`` (``phase,step,seconds``) beside
``summary.csv``, shown by ``tools/al_status.py``, and summed at the end into
the share of the run spent on active learning itself.

Steps: ``run.checks`` (the file checks and the preflight before a new run
writes anything), ``pretext.train``, ``pretext.score``, ``pretext.rank``, and
per cycle ``cycle_XX.score`` (the scoring pass), ``cycle_XX.pick``,
``cycle_XX.embedding`` (the plot), ``cycle_XX.train`` and ``cycle_XX.test``;
``h1.measure`` after the last cycle. A step redone after an interruption
keeps the time of the run that finished it.
"""
import io
import os.path as osp
import time
from contextlib import contextmanager
from typing import Dict, Tuple

from ..utils import atomic_write

# what a plain supervised run would spend as well
TASK_STEPS = ('train', 'test')


@contextmanager
def timed(seconds: Dict[str, float], key: str):
    """Record the wall seconds of the block under ``key``."""
    start = time.perf_counter()
    yield
    seconds[key] = round(time.perf_counter() - start, 3)


ORDER = dict(
    run=('checks', ),
    pretext=('train', 'score', 'rank'),
    cycle=('score', 'pick', 'embedding', 'train', 'test'),
    h1=('measure', ))


def _run_order(key: str) -> tuple:
    """Steps in the order a run takes them (``al_state.json`` keeps its keys
    sorted by name)."""
    phase, step = key.rsplit('.', 1)
    group, _, num = phase.partition('_')
    steps = ORDER.get(group, ())
    return (list(ORDER).index(group) if group in ORDER else len(ORDER),
            int(num) if num.isdigit() else 0,
            steps.index(step) if step in steps else len(steps), key)


def timings_csv_text(seconds: Dict[str, float]) -> str:
    buf = io.StringIO()
    buf.write('phase,step,seconds\n')
    for key in sorted(seconds, key=_run_order):
        phase, step = key.rsplit('.', 1)
        buf.write(f'{phase},{step},{seconds[key]}\n')
    return buf.getvalue()


def write_timings(work_dir: str, seconds: Dict[str, float]) -> None:
    """``timings.csv``, rewritten only when a step was added or redone (runs
    of pt4al_seg 0.1 recorded none)."""
    if not seconds:
        return
    path, text = osp.join(work_dir, 'timings.csv'), timings_csv_text(seconds)
    if not (osp.isfile(path) and open(path).read() == text):
        atomic_write(path, text)


def al_share(seconds: Dict[str, float]) -> Tuple[float, float]:
    """``(active-learning seconds, all recorded seconds)``: every step but the
    cycles' training and testing (and the H1 analysis after the last cycle,
    the embedding plots) is active learning's own."""
    total = sum(seconds.values())
    task = sum(v for k, v in seconds.items()
               if k.startswith('cycle_') and k.rsplit('.', 1)[1] in TASK_STEPS
               or k.startswith('h1.') or k.endswith('.embedding'))
    return total - task, total


def share_line(seconds: Dict[str, float]) -> str:
    own, total = al_share(seconds)
    return (f'time: {total:.1f} s in the recorded steps, {own:.1f} s '
            f'({100 * own / max(total, 1e-9):.0f}%) of it active learning\'s '
            'own (checks, pretext, scoring, picking; the rest is the cycles\' '
            'training and testing and the analyses: H1, embedding plots); '
            'per step: timings.csv')

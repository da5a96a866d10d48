"""Where a run stands, from its work dir alone (``tools/al_status.py``)."""
import ast
import os.path as osp
from typing import Any, Dict

from .annotation import missing_label_maps
from .state import ALState
from .timings import al_share


def _setting(state: ALState, key: str, default: Any) -> Any:
    value = state.settings.get(key)
    return default if value is None else ast.literal_eval(value)


def run_status(work_dir: str) -> Dict[str, Any]:
    """Phase, cycles done, labelled count, metric per finished cycle and the
    next action.

    Args:
        work_dir (str): A run's work dir.

    Returns:
        dict: JSON-ready status.
    """
    state_file = osp.join(work_dir, 'al_state.json')
    if not osp.isfile(state_file):
        return dict(
            work_dir=work_dir,
            phase='not started',
            cycles_done=0,
            num_labelled=0,
            next_action=(f'start: python tools/train_al.py CONFIG '
                         f'--work-dir {work_dir}'))
    state = ALState.load(state_file)
    num_cycles = _setting(state, 'al.num_cycles', 0)
    mode = _setting(state, 'al.mode', 'simulate')
    metric = _setting(state, 'al.metric', 'mIoU')
    done = [
        k for k in range(num_cycles) if state.done(f'cycle_{k:02d}.trained')
    ]
    labelled = [
        rec.get('num_labelled', 0) for key, rec in sorted(
            state.cycles.items(), key=lambda kv: int(kv[0]))
        if state.done(f'cycle_{int(key):02d}.labelled')
    ]
    status = dict(
        work_dir=work_dir,
        mode=mode,
        phase=state.phases[-1] if state.phases else 'created',
        num_cycles=num_cycles,
        cycles_done=len(done),
        pool_size=state.pool_size,
        num_labelled=labelled[-1] if labelled else 0,
        metric=metric,
        metrics={
            k: state.cycles[str(k)].get('metrics', {}).get(metric)
            for k in done
        },
        seconds=state.seconds)
    resume = f'python tools/train_al.py CONFIG --work-dir {work_dir} --resume'
    if len(done) == num_cycles:
        status['next_action'] = 'finished: see summary.csv and summary.png'
        return status
    k = len(done)
    if 'label_maps' in state.cycles.get(str(k), {}) \
            and not state.done(f'cycle_{k:02d}.labelled'):
        label_maps = state.cycles[str(k)].get('label_maps', {})
        missing = missing_label_maps(label_maps)
        status['waiting_for_labels'] = dict(
            cycle=k,
            requested=len(label_maps),
            missing=len(missing),
            request_file=osp.join(work_dir, f'cycle_{k:02d}', 'to_label.txt'),
            missing_label_maps=[label_maps[i] for i in missing])
        status['next_action'] = (
            f'label {len(missing)} of the {len(label_maps)} images in '
            f'cycle_{k:02d}/to_label.txt, then: {resume}'
            if missing else f'all requested labels are present: {resume}')
    else:
        status['next_action'] = f'continue: {resume}'
    return status


def format_status(status: Dict[str, Any]) -> str:
    """The status as lines for a person."""
    lines = [
        f'work dir:     {status["work_dir"]}',
        f'phase:        {status["phase"]}' +
        (f' ({status["mode"]} mode)' if 'mode' in status else ''),
        f'cycles done:  {status["cycles_done"]}' +
        (f' of {status["num_cycles"]}' if 'num_cycles' in status else ''),
        f'labelled:     {status["num_labelled"]}' +
        (f' of {status["pool_size"]}' if status.get('pool_size') else '')
    ]
    for k, value in status.get('metrics', {}).items():
        shown = value if value is not None else \
            'not evaluated (no labelled validation split)'
        lines.append(f'cycle {int(k):02d}:     {status["metric"]} {shown}')
    if status.get('seconds'):
        own, total = al_share(status['seconds'])
        lines.append(f'time:         {total:.1f} s recorded, {own:.1f} s of '
                     'it active learning\'s own (per step: timings.csv)')
    wait = status.get('waiting_for_labels')
    if wait:
        lines.append(
            f'waiting:      {wait["missing"]} of {wait["requested"]} label '
            'maps '
            f'missing ({wait["request_file"]})')
    lines.append(f'next:         {status["next_action"]}')
    return '\n'.join(lines)

"""The persistent state of an active-learning run (``al_state.json``)."""
import ast
import json
import os.path as osp
import re
from dataclasses import MISSING, fields
from typing import Dict, List, Optional

from mmengine.dist import master_only

from ..utils import write_json

# Settings that may change between a run and its resumption without changing
# its result.
VOLATILE_KEYS = ('work_dir', 'resume', 'launcher', 'load_from',
                 'experiment_name', 'log_level', 'env_cfg',
                 'default_hooks.logger', 'log_processor', 'visualizer',
                 'vis_backends', 'al.bf16', 'al.resume_training',
                 'al.export_dir', 'optim_wrapper.type', 'optim_wrapper.dtype',
                 'pretext.optim_wrapper.type', 'pretext.variants')


def flatten(obj, prefix: str = '') -> Dict[str, str]:
    """Nested dicts/lists to ``{'a.b.0.c': repr(value)}``."""
    out = {}
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.update(flatten(value, f'{prefix}{key}.'))
    elif isinstance(obj, (list, tuple)) and any(
            isinstance(v, (dict, list, tuple)) for v in obj):
        for i, value in enumerate(obj):
            out.update(flatten(value, f'{prefix}{i}.'))
    else:
        out[prefix[:-1]] = repr(list(obj) if isinstance(obj, tuple) else obj)
    return out


def settings_snapshot(cfg_dict: dict) -> Dict[str, str]:
    """The settings of a config that decide a run's result, flattened (its
    ``al`` section as parsed, defaults filled in; its ``al_hooks`` keyed by
    type, without those that change no result, e.g. plots)."""
    from .settings import hooks_by_type
    cfg_dict = dict(cfg_dict)
    if 'al_hooks' in cfg_dict:
        cfg_dict['al_hooks'] = hooks_by_type(
            cfg_dict['al_hooks'],
            lambda c: getattr(c, 'changes_results', True))
    flat = flatten(cfg_dict)
    return {
        k: v
        for k, v in sorted(flat.items())
        if not any(k == p or k.startswith(p + '.')
                   for p in VOLATILE_KEYS) and not k.endswith('._scope_')
    }


def default_settings() -> Dict[str, str]:
    """Flattened defaults of every setting a run may lack: a key that a newer
    version adds with its default value is no difference from a run made before
    it existed."""
    from .settings import ALSettings
    defaults = {
        f.name:
        f.default_factory() if f.default_factory is not MISSING else f.default
        for f in fields(ALSettings)
        if f.default is not MISSING or f.default_factory is not MISSING
    }
    return flatten(dict(al=defaults, runner_type='ActiveLearningRunner'))


def _upgrade_v1(state: dict) -> dict:
    """A state file of pt4al_seg 0.1 in today's terms: ``al.strategy``,
    ``al.order`` and ``al.seed`` became the PretextBatchHook and
    ``al.cold_start``, ``al.selector`` and ``al.pick`` were renamed
    ``al.query`` and ``al.picker``, and simulated labels are now received in a
    phase of their own (``cycle_XX.labelled``)."""
    old = dict(state['settings'])
    strategy = old.pop('al.strategy', "'pt4al'")
    order = old.pop('al.order', "'descending'")
    seed = old.pop('al.seed', '0')
    new = {}
    for key, value in old.items():
        for before, after in (('al.selector.', 'al.query.'), ('al.pick.',
                                                              'al.picker.')):
            if key.startswith(before):
                key = after + key[len(before):]
        new[key] = value
    if strategy == "'pt4al'":
        new.update({
            'al_hooks.0.type': "'PretextBatchHook'",
            'al_hooks.0.order': order,
            'al.cold_start.picker.type': "'EveryNth'"
        })
    else:
        new.update({
            'al.cold_start.query.type': "'Random'",
            'al.cold_start.query.seed': seed,
            'al.cold_start.picker.type': "'TopK'"
        })
    phases = []
    for phase in state['phases']:
        phases.append(phase)
        labelled = phase.replace('.selected', '.labelled')
        if phase.endswith('.selected') and old.get('al.mode') != "'annotate'":
            phases.append(labelled)
    return dict(state, version=2, settings=new, phases=phases)


def _upgrade_v2(state: dict) -> dict:
    """A state file of version 2 in today's terms: ``al_hooks`` was a list
    (``al_hooks.0.type``), now its hooks are keyed by type
    (``al_hooks.PretextBatchHook.type``); PretextBatchHook's ``embedding``
    became a hook of its own that changes no result."""
    old = state['settings']
    types = {}
    for key, value in old.items():
        match = re.fullmatch(r'al_hooks\.(\d+)\.type', key)
        if match:
            name, k = ast.literal_eval(value), 1
            while name in types.values():
                k += 1
                name = f'{ast.literal_eval(value)}#{k}'
            types[match.group(1)] = name
    new = {}
    for key, value in old.items():
        match = re.fullmatch(r'al_hooks\.(\d+)\.(.+)', key)
        if key == 'al_hooks' and value == '[]':
            continue
        if match:
            name, arg = types.get(match.group(1),
                                  match.group(1)), match.group(2)
            if (name, arg) in (('PretextBatchHook', 'embedding'),
                               ('PretextBatchHook', 'pretext_from')):
                continue
            key = f'al_hooks.{name}.{arg}'
        new[key] = value
    return dict(state, version=3, settings=new)


class ALState:
    """What has finished in a run: plain data with ``state_dict`` /
    ``load_state_dict``.

    Phases are recorded only once their files are complete on disk; the file is
    replaced atomically on every change.

    Args:
        path (str): The ``al_state.json`` file.
    """

    version = 3

    def __init__(self, path: str):
        self.path = path
        self.settings: Dict[str, str] = {}
        self.phases: List[str] = []
        self.cycles: Dict[str, dict] = {}
        self.pool_size: Optional[int] = None
        self.extras: Dict[str, float] = {}
        # wall seconds per step, '<phase>.<step>' (pretext.train,
        # cycle_01.score...), in the order they ran
        self.seconds: Dict[str, float] = {}

    def state_dict(self) -> dict:
        return dict(
            version=self.version,
            settings=self.settings,
            phases=self.phases,
            cycles=self.cycles,
            pool_size=self.pool_size,
            extras=self.extras,
            seconds=self.seconds)

    def load_state_dict(self, state: dict) -> None:
        if state.get('version') == 1:
            state = _upgrade_v1(state)
        if state.get('version') == 2:
            state = _upgrade_v2(state)
        if state.get('version') != self.version:
            raise ValueError(
                f'{self.path}: state version {state.get("version")}, '
                f'this pt4al_seg writes {self.version}')
        self.settings = dict(state['settings'])
        self.phases = list(state['phases'])
        self.cycles = dict(state['cycles'])
        self.pool_size = state.get('pool_size')
        self.extras = dict(state.get('extras', {}))
        self.seconds = dict(state.get('seconds', {}))

    @classmethod
    def load(cls, path: str) -> 'ALState':
        state = cls(path)
        try:
            with open(path) as f:
                state.load_state_dict(json.load(f))
        except (ValueError, KeyError) as e:
            raise ValueError(
                f'{path} is not a valid pt4al_seg state file: {e}') from e
        return state

    @classmethod
    def resume(cls, path: str, settings: Dict[str, str], pool_size: int,
               resume: bool) -> 'ALState':
        """The state of an existing run for ``--resume``; refused
        (``ALConfigError``, one line) without ``--resume``, for another config,
        or for another pool."""
        from ..utils.errors import ALConfigError
        work_dir = osp.dirname(path)
        if not resume:
            raise FileExistsError(
                f'{work_dir} already holds a run (al_state.json): pass '
                '--resume to continue it, or choose another --work-dir')
        try:
            state = cls.load(path)
        except ValueError as e:
            raise ALConfigError(str(e)) from e
        diff = state.diff_settings(settings)
        if diff:
            raise ALConfigError(
                f'--resume refused: {work_dir} was made with another '
                f'config; {len(diff)} settings differ: ' +
                '; '.join(diff[:10]))
        if state.pool_size != pool_size:
            raise ALConfigError(
                f'--resume refused: the pool had {state.pool_size} images, '
                f'the data root now lists {pool_size}')
        return state

    @staticmethod
    def exists(path: str) -> bool:
        return osp.isfile(path)

    @master_only
    def save(self) -> None:
        """Write the state atomically (rank 0 only)."""
        write_json(self.path, self.state_dict())

    def done(self, phase: str) -> bool:
        return phase in self.phases

    def mark(self, phase: str) -> None:
        if phase not in self.phases:
            self.phases.append(phase)
        self.save()

    def record_cycle(self, cycle: int, **values) -> None:
        self.cycles.setdefault(str(cycle), {}).update(values)

    def diff_settings(self, settings: Dict[str, str]) -> List[str]:
        """Human-readable differences between the stored settings and
        ``settings``."""
        return settings_diff(self.settings, settings)


def settings_diff(old: Dict[str, str], new: Dict[str, str]) -> List[str]:
    """Human-readable differences (``key: old -> new``) between two flattened
    settings, each with the defaults of the settings it does not mention."""
    old, new = _with_defaults(old), _with_defaults(new)
    return [
        f'{k}: {old.get(k, "<unset>")} -> {new.get(k, "<unset>")}'
        for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    ]


def _setting(key: str) -> str:
    """The setting a flattened key belongs to: ``al.<name>`` or a top-level
    key."""
    parts = key.split('.')
    return '.'.join(parts[:2]) if parts[0] == 'al' else parts[0]


def _with_defaults(settings: Dict[str, str]) -> Dict[str, str]:
    """``settings`` plus the defaults of the settings it does not mention at
    all."""
    present = {_setting(k) for k in settings}
    out = {
        k: v
        for k, v in default_settings().items() if _setting(k) not in present
    }
    out.update(settings)
    # mmengine marks dicts read from `pkg::` bases with _scope_; where a base
    # was read from is no setting (older state files recorded it)
    return {k: v for k, v in out.items() if not k.endswith('._scope_')}

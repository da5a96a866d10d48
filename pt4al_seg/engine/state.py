"""The persistent state of an active-learning run (``al_state.json``)."""
import json
import os.path as osp
from typing import Dict, List, Optional

from ..utils import write_json

# Settings that may change between a run and its resumption without changing its result.
VOLATILE_KEYS = ('work_dir', 'resume', 'launcher', 'load_from', 'experiment_name',
                 'log_level', 'env_cfg', 'default_hooks.logger', 'log_processor',
                 'visualizer', 'vis_backends', 'al.bf16', 'al.resume_training', 'al.export_dir', 'optim_wrapper.type',
                 'optim_wrapper.dtype', 'pretext.optim_wrapper.type')


def flatten(obj, prefix: str = '') -> Dict[str, str]:
    """Nested dicts/lists to ``{'a.b.0.c': repr(value)}``."""
    out = {}
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.update(flatten(value, f'{prefix}{key}.'))
    elif isinstance(obj, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in obj):
        for i, value in enumerate(obj):
            out.update(flatten(value, f'{prefix}{i}.'))
    else:
        out[prefix[:-1]] = repr(list(obj) if isinstance(obj, tuple) else obj)
    return out


def settings_snapshot(cfg_dict: dict) -> Dict[str, str]:
    """The settings of a config that decide a run's result, flattened."""
    flat = flatten(cfg_dict)
    return {k: v for k, v in sorted(flat.items())
            if not any(k == p or k.startswith(p + '.') for p in VOLATILE_KEYS)}


class ALState:
    """What has finished in a run: plain data with ``state_dict`` / ``load_state_dict``.

    Phases are recorded only once their files are complete on disk; the file is replaced
    atomically on every change.

    Args:
        path (str): The ``al_state.json`` file.
    """

    version = 1

    def __init__(self, path: str):
        self.path = path
        self.settings: Dict[str, str] = {}
        self.phases: List[str] = []
        self.cycles: Dict[str, dict] = {}
        self.pool_size: Optional[int] = None
        self.extras: Dict[str, float] = {}

    def state_dict(self) -> dict:
        return dict(version=self.version, settings=self.settings, phases=self.phases,
                    cycles=self.cycles, pool_size=self.pool_size, extras=self.extras)

    def load_state_dict(self, state: dict) -> None:
        if state.get('version') != self.version:
            raise ValueError(f'{self.path}: state version {state.get("version")}, '
                             f'this pt4al_seg writes {self.version}')
        self.settings = dict(state['settings'])
        self.phases = list(state['phases'])
        self.cycles = dict(state['cycles'])
        self.pool_size = state.get('pool_size')
        self.extras = dict(state.get('extras', {}))

    @classmethod
    def load(cls, path: str) -> 'ALState':
        state = cls(path)
        try:
            with open(path) as f:
                state.load_state_dict(json.load(f))
        except (ValueError, KeyError) as e:
            raise ValueError(f'{path} is not a valid pt4al_seg state file: {e}') from e
        return state

    @staticmethod
    def exists(path: str) -> bool:
        return osp.isfile(path)

    def save(self) -> None:
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
        """Human-readable differences between the stored settings and ``settings``."""
        keys = sorted(set(self.settings) | set(settings))
        return [f'{k}: {self.settings.get(k, "<unset>")} -> {settings.get(k, "<unset>")}'
                for k in keys if self.settings.get(k) != settings.get(k)]

"""Named strategies are config files,
``configs/_base_/al/strategies/<name>.py`` (shipped as
``pt4al_seg::_base_/al/strategies/<name>.py``), each a few lines naming its
query, picker, hooks and what it adds to the model. A leaf config lists one
among its bases (beside the model, data, schedule and pretext bases);
:func:`apply_strategy` puts one over a config that has a strategy already
(``tools/train_al.py --strategy NAME``, ``tools/compare.py``).
"""
import copy
import os
import os.path as osp
from typing import List

from mmengine.config import Config

from ..utils.errors import UserError
from .settings import hook_configs

STRATEGY_DIR = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim', 'configs',
    '_base_', 'al', 'strategies')
#: What a strategy decides whole: a config's own are dropped (to their
#: defaults) before the strategy's are merged in.
STRATEGY_KEYS = ('query', 'picker', 'cold_start', 'features', 'model')


def strategy_names() -> List[str]:
    """The shipped strategies, by name."""
    return sorted(f[:-3] for f in os.listdir(STRATEGY_DIR)
                  if f.endswith('.py') and f != 'pool.py')


def strategy_file(strategy: str) -> str:
    """The config file of ``strategy``: a file of the user's, or a shipped
    strategy's name."""
    if osp.isfile(strategy):
        return strategy
    path = osp.join(STRATEGY_DIR, f'{strategy}.py')
    if osp.sep in strategy or not osp.isfile(path):
        raise UserError(f'unknown strategy {strategy!r}: neither a config '
                        f'file nor one of {", ".join(strategy_names())}')
    return path


def apply_strategy(cfg: Config, strategy: str) -> Config:
    """``cfg`` running ``strategy`` (a name or a config file) instead of its
    own: its ``al`` keys of :data:`STRATEGY_KEYS` and its hooks of the same
    names are dropped, then the strategy's config is merged in (its hooks by
    name, ``None`` dropping one: a pool strategy drops PT4AL's ``pretext``);
    everything else (budget, schedule, ``al.init``, the config's other
    hooks) stays the config's. ``cfg`` is not changed.
    """
    out = copy.deepcopy(cfg)
    new = Config.fromfile(strategy_file(strategy))
    al = dict(out.get('al') or {})
    for key in STRATEGY_KEYS:
        al.pop(key, None)
    out.al = al
    out.al_hooks = hook_configs(out.get('al_hooks'))
    for name in dict(new.get('al_hooks') or {}):
        out.al_hooks.pop(name, None)
    out.merge_from_dict(new.to_dict())
    out.al_hooks = hook_configs(out.al_hooks)  # the dropped ones gone
    return out

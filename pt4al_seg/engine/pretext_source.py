"""Taking another run's pretext stage instead of training it again
(:class:`~pt4al_seg.engine.hooks.AdoptPretextHook`; ``tools/compare.py`` does
it for the runs of one seed that would train the same pretext model).

The stage depends only on the settings under :data:`PRETEXT_KEYS` and on the
pool: two runs that agree on both train the same pretext model and score the
same losses and features, whatever they do afterwards (their strategy, their
cycles' model and schedule, ``al.init``). The adopting run links (or copies)
the source's :data:`SHARED_FILES` into its own ``pretext/`` and names the
source in ``pretext/source.txt``; ranking, embeddings and H1 are its own.
"""
import json
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional

from ..utils import atomic_write, read_ids
from ..utils.errors import ALConfigError
from .state import ALState, settings_diff, settings_snapshot

# what the pretext stage writes and a later phase reads
SHARED_FILES = ('model.pth', 'losses.csv', 'features.npz')
# the settings (flattened, ``state.settings_snapshot``) the stage depends on:
# the pretext model, schedule and pipelines; the task model's backbone (the
# pretext model's unless it sets its own); the training loader (data root,
# workers, their seeds); the seed; the scoring batch
PRETEXT_KEYS = ('pretext', 'model.backbone', 'train_dataloader', 'randomness',
                'al.score_batch_size')


def pretext_settings(settings: Dict[str, str]) -> Dict[str, str]:
    """The entries of flattened ``settings`` under :data:`PRETEXT_KEYS`."""
    return {
        k: v
        for k, v in settings.items()
        if any(k == p or k.startswith(p + '.') for p in PRETEXT_KEYS)
    }


def pretext_stage_key(cfg) -> Optional[str]:
    """What decides the pretext stage of a run of ``cfg`` (a Config with its
    ``--cfg-options`` merged), as one string; None for a run with no
    pretext stage. Runs with the same key train the same pretext model."""
    from .settings import ALSettings, hook_configs
    if not any(
            h.get('type') == 'PretextBatchHook'
            for h in hook_configs(cfg.get('al_hooks')).values()):
        return None
    c = cfg.to_dict()
    al = dict(c.get('al') or {})  # the runner fills the defaults in
    al.setdefault('score_batch_size', ALSettings.score_batch_size)
    c['al'] = al
    return json.dumps(pretext_settings(settings_snapshot(c)), sort_keys=True)


def check_pretext_source(source: str, work_dir: str, settings: Dict[str, str],
                         pool_ids: List[str]) -> None:
    """Refuse (``ALConfigError``, one line) a source run whose
    pretext stage is unfinished or incomplete, was made with other pretext
    settings, or on another pool."""
    name = 'AdoptPretextHook.source'
    if osp.abspath(source) == osp.abspath(work_dir):
        raise ALConfigError(f'{name}: {source} is this run itself')
    state_file = osp.join(source, 'al_state.json')
    if not osp.isfile(state_file):
        raise ALConfigError(f'{name}: {source} holds no run (no '
                            'al_state.json)')
    try:
        state = ALState.load(state_file)
    except ValueError as e:
        raise ALConfigError(f'{name}: {e}') from e
    if not state.done('pretext.scored'):
        raise ALConfigError(f'{name}: the pretext stage of {source} has not '
                            'finished: run it first')
    for f in SHARED_FILES:
        if not osp.isfile(osp.join(source, 'pretext', f)):
            raise ALConfigError(f'{name}: {source}/pretext/{f} is missing')
    diff = settings_diff(
        pretext_settings(state.settings), pretext_settings(settings))
    if diff:
        raise ALConfigError(
            f'{name}: {source} trained its pretext model with other '
            f'settings; {len(diff)} differ: ' + '; '.join(diff[:5]))
    source_pool = read_ids(osp.join(source, 'pool.txt'))
    if source_pool != list(pool_ids):
        raise ALConfigError(
            f'{name}: the pool of {source} ({len(source_pool)} images, '
            f'pool.txt) is not this run\'s ({len(pool_ids)})')


def adopt_pretext(source: str, pretext_dir: str) -> None:
    """``source``'s :data:`SHARED_FILES` in ``pretext_dir``: hard links where
    the file system allows, else copies; each file appears whole (written
    beside it, then renamed); ``source.txt`` names the source."""
    os.makedirs(pretext_dir, exist_ok=True)
    for f in SHARED_FILES:
        src, dst = osp.join(source, 'pretext', f), osp.join(pretext_dir, f)
        if osp.exists(dst) and osp.samefile(src, dst):
            continue  # linked already (rename would leave tmp behind)
        tmp = f'{dst}.tmp{os.getpid()}'
        if osp.exists(tmp):
            os.remove(tmp)
        try:
            os.link(src, tmp)
        except OSError:  # another file system, or no links there
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    atomic_write(
        osp.join(pretext_dir, 'source.txt'),
        osp.abspath(source) + '\n')


def pretext_source(work_dir: str) -> Optional[str]:
    """The run whose pretext stage ``work_dir`` took, or None (it trained its
    own)."""
    path = osp.join(work_dir, 'pretext', 'source.txt')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return f.read().strip()

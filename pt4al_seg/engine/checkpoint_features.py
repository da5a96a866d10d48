"""Features from a self-supervised checkpoint of the user's
(``al.features='path/to/backbone.pth'``): the task model's backbone with those
weights, one scoring pass over the pool before the first pick that needs
features, ``features/features.npz``. TypiClust and ProbCover were designed
for such features (SimCLR, MoCo, DINO...): they pick from them in every cycle,
cycle 0 included."""
import os
import os.path as osp
from typing import Dict

import torch
from mmengine.config import Config
from mmengine.dist import is_main_process

from . import phase_configs as pc
from .settings import ALConfigError

#: Where the pass writes, under the work dir.
FEATURES_DIR = 'features'


def backbone_weights(path: str, cfg: Config) -> Dict[str, torch.Tensor]:
    """The weights of the task model's backbone in checkpoint ``path``, keyed
    as the task model keys them (``backbone.*``).

    The checkpoint may be an mmengine/mmpretrain checkpoint (``state_dict``
    or ``model``, keys ``backbone.*`` beside a neck and head) or a bare
    backbone's state dict (its keys get the prefix). Every backbone weight
    must be there with its shape: a partial load would give features of a
    half-random network without a word.
    """
    from mmseg.registry import MODELS
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as e:  # noqa: B902 - any unreadable file
        raise ALConfigError(f'al.features: {path} is not a torch checkpoint '
                            f'({type(e).__name__})') from e
    state = ckpt
    if isinstance(ckpt, dict):
        state = ckpt.get('state_dict', ckpt.get('model', ckpt))
    if not isinstance(state, dict) or not state:
        raise ALConfigError(f'al.features: {path} holds no state dict')
    state = {
        k[7:] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    if not any(k.startswith('backbone.') for k in state):
        state = {f'backbone.{k}': v for k, v in state.items()}
    want = {
        k: v.shape
        for k, v in MODELS.build(cfg.model).state_dict().items()
        if k.startswith('backbone.')
    }
    missing = [k for k in want if k not in state]
    if missing:
        raise ALConfigError(
            f'al.features: {path} lacks {len(missing)} of the '
            f'{len(want)} backbone weights of the task model, e.g. '
            f'{missing[0]!r} (save the backbone\'s state dict, or a model '
            'whose backbone is under \'backbone.\')')
    for k, shape in want.items():
        if tuple(state[k].shape) != tuple(shape):
            raise ALConfigError(
                f'al.features: {path}: {k} is {tuple(state[k].shape)}, the '
                f'task model\'s {tuple(shape)}')
    return {k: state[k] for k in want}


def check_features_checkpoint(runner) -> None:
    """Before any work: a checkpoint given as ``al.features`` holds the task
    model's backbone."""
    from mmengine.registry import init_default_scope
    init_default_scope(runner.cfg.get('default_scope', 'mmseg'))
    backbone_weights(runner.settings.features, runner.cfg)


def checkpoint_features(runner) -> str:
    """``features/features.npz``: every pool image's pooled backbone features
    under the checkpoint's weights (a test-only pass of the task model,
    ``score_pipeline``; resumes from its shards), made once per run; returns
    its path."""
    from .scoring import left_to_score, run_scoring
    files = runner.files
    out = files.path(FEATURES_DIR, 'features.npz')
    if osp.isfile(out):
        return out
    weights = files.path(FEATURES_DIR, 'backbone.pth')
    if not osp.isfile(weights) and is_main_process():
        os.makedirs(osp.dirname(weights), exist_ok=True)
        tmp = f'{weights}.tmp{os.getpid()}'
        torch.save(
            dict(
                state_dict=backbone_weights(runner.settings.features,
                                            runner.cfg)), tmp)
        os.replace(tmp, weights)
    ids_file = files.path(FEATURES_DIR, 'candidates.txt')
    files.write_ids(ids_file, runner.pool.ids)
    left_file, num_left = left_to_score(runner, files.path(FEATURES_DIR),
                                        runner.pool.ids)
    metric = dict(
        type='StrategyOutputsMetric',
        query=None,
        features_file=out,
        head_outputs=[])
    c = pc.score_config(runner.cfg, runner.pool, files.path(FEATURES_DIR),
                        ids_file, weights, metric, True, left_file)
    runner.log(f'features: the pool ({len(runner.pool.ids)} images) '
               f'through the backbone of {runner.settings.features} (its '
               'decode head is not used: mmengine lists it as missing)')
    run_scoring(runner, c, FEATURES_DIR, num_left)
    return out

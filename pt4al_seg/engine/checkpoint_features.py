"""Features from a self-supervised checkpoint of the user's
(``al.features='path/to/backbone.pth'``): the task model's backbone with those
weights, one scoring pass over the pool before the first pick that needs
features, ``features/features.npz``. TypiClust and ProbCover were designed
for such features (SimCLR, MoCo, DINO...): they pick from them in every cycle,
cycle 0 included."""
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config
from mmengine.dist import master_only

from ..utils.checkpoint import UnsafeCheckpointError, load_checkpoint
from ..utils.checkpoint import save_weights as save_weights_file
from ..utils.errors import one_line
from . import phase_configs as pc
from .scoring import left_to_score, run_scoring
from .settings import FEATURES, ALConfigError

#: Where the pass writes, under the work dir.
FEATURES_DIR = 'features'
#: The phase :meth:`ActiveLearningRunner.mark` records when it is done.
PHASE = 'features.scored'
PREFIX = 'backbone.'


def from_checkpoint(features: str) -> bool:
    """Whether ``al.features`` names a checkpoint (not a built-in source)."""
    return features not in FEATURES


def backbone_weights(path: str, cfg: Config) -> Dict[str, torch.Tensor]:
    """The weights of the task model's backbone in a checkpoint, keyed as the
    task model keys them.

    The checkpoint may be an mmengine/mmpretrain one (``state_dict`` or
    ``model``; the backbone under ``backbone.`` beside a neck and head, which
    are ignored; DDP's ``module.`` dropped) or a bare backbone's state dict.
    Its backbone must be the task model's: every weight there with its
    shape, and none the task model's backbone lacks (a deeper network would
    otherwise give features of its first layers without a word).

    Args:
        path (str): The checkpoint file.
        cfg (Config): The run's config (``model.backbone``).

    Returns:
        dict: ``backbone.<key>`` -> tensor, in the backbone's key order.
    """
    from mmseg.registry import MODELS
    try:
        ckpt = load_checkpoint(path)
    except UnsafeCheckpointError as e:
        raise ALConfigError(f'al.features: {e}') from e
    except Exception as e:  # noqa: B902 - any unreadable file
        raise ALConfigError(f'al.features: {path} is not a torch checkpoint '
                            f'({type(e).__name__}: {one_line(e)})') from e
    state = ckpt
    if isinstance(ckpt, dict):
        state = ckpt.get('state_dict', ckpt.get('model', ckpt))
    state = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in (state.items() if isinstance(state, dict) else ())
        if isinstance(v, torch.Tensor)
    }
    if not state:
        raise ALConfigError(f'al.features: {path} holds no weights')
    if any(k.startswith(PREFIX) for k in state):
        state = {
            k[len(PREFIX):]: v
            for k, v in state.items() if k.startswith(PREFIX)
        }
    want = MODELS.build(cfg.model.backbone).state_dict()
    missing = [k for k in want if k not in state]
    if missing:
        raise ALConfigError(
            f'al.features: {path} lacks {len(missing)} of the {len(want)} '
            f'backbone weights of the task model, e.g. {PREFIX}{missing[0]} '
            f'(save the backbone\'s state dict, or a model whose backbone is '
            f'under \'{PREFIX}\')')
    extra = [k for k in state if k not in want]
    if extra:
        raise ALConfigError(
            f'al.features: {path} holds {len(extra)} backbone weights the '
            f'task model\'s backbone has not, e.g. {PREFIX}{extra[0]} (a '
            'different architecture?)')
    for k, v in want.items():
        if state[k].shape != v.shape:
            raise ALConfigError(
                f'al.features: {path}: {PREFIX}{k} is '
                f'{tuple(state[k].shape)}, the task model\'s {tuple(v.shape)}')
    return {PREFIX + k: state[k] for k in want}


def check_features_checkpoint(runner) -> None:
    """Before any work: a checkpoint given as ``al.features`` holds the task
    model's backbone (not checked again once its features are made)."""
    from mmengine.registry import init_default_scope
    if osp.isfile(runner.files.features(runner.settings.features)):
        return
    init_default_scope(runner.cfg.get('default_scope', 'mmseg'))
    backbone_weights(runner.settings.features, runner.cfg)


def pass_config(runner,
                out_dir: str,
                ids_file: str,
                checkpoint: Optional[str],
                left_file: Optional[str] = None) -> dict:
    """The features pass: a test-only run of the task model over
    ``ids_file`` (``score_pipeline``) attaching pooled backbone features."""
    metric = dict(
        type='StrategyOutputsMetric',
        query=None,
        features_file=runner.files.features(runner.settings.features)
        if checkpoint else None,
        head_outputs=[])
    return pc.score_config(runner.cfg, runner.pool, out_dir, ids_file,
                           checkpoint, metric, True, left_file)


@master_only
def save_backbone(path: str, checkpoint: str, cfg: Config) -> None:
    """``path``: the backbone weights of ``checkpoint`` as the task model
    keys them (:func:`backbone_weights`), whole or absent."""
    save_weights_file(path, backbone_weights(checkpoint, cfg), {})


def checkpoint_features(runner) -> None:
    """``features/features.npz``: every pool image's pooled backbone features
    under the checkpoint's weights (``features/backbone.pth`` as loaded),
    made once per run (the phase ``features.scored``; an interrupted pass
    resumes from its shards)."""
    if runner.state.done(PHASE):
        return
    files = runner.files
    weights = files.path(FEATURES_DIR, 'backbone.pth')
    if not osp.isfile(weights):
        save_backbone(weights, runner.settings.features, runner.cfg)
    ids_file = files.path(FEATURES_DIR, 'candidates.txt')
    files.write_ids(ids_file, runner.pool.ids)
    out_dir = files.path(FEATURES_DIR)
    left_file, num_left = left_to_score(runner, out_dir, runner.pool.ids)
    runner.log(f'features: the pool ({len(runner.pool.ids)} images) '
               f'through the backbone of {runner.settings.features} (its '
               'decode head is not used: mmengine lists it as missing)')
    run_scoring(runner,
                pass_config(runner, out_dir, ids_file, weights, left_file),
                FEATURES_DIR, num_left)
    runner.mark(PHASE)

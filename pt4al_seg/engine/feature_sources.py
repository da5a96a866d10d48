"""Where pickers that need features (Core-Set, TypiClust, ProbCover, the GCN
pickers) take them: ``al.features``, a source from ``FEATURE_SOURCES``.

* ``'task'`` (:class:`TaskFeatures`): the pooled last backbone stage of the
  previous cycle's task model, collected by the cycle's scoring pass;
* ``'pretext'`` (:class:`PretextFeatures`): the pretext model's, written
  once by the pretext stage (``pretext/features.npz``);
* a checkpoint's path, or ``dict(type='CheckpointFeatures', checkpoint=...)``
  (:class:`CheckpointFeatures`): the task model's backbone with the weights of
  a self-supervised checkpoint of the user's (SimCLR, MoCo, DINO...), one
  pass over the pool per run (``features/features.npz``). TypiClust and
  ProbCover were designed for such features.

The last two exist before any label does: cycle 0 can pick from them.
"""
import os.path as osp
from typing import Dict, Union

import torch
from mmengine.config import Config
from mmengine.dist import master_only

from ..registry import FEATURE_SOURCES
from ..utils.checkpoint import load_checkpoint, save_weights
from ..utils.errors import ALConfigError, UnsafeCheckpointError, one_line
from . import phase_configs as pc
from .scoring import left_to_score, outputs_metric, run_scoring

PREFIX = 'backbone.'
#: the names a config may give instead of a dict
NAMES = dict(task='TaskFeatures', pretext='PretextFeatures')


def feature_source(features: Union[str, dict]) -> 'FeatureSource':
    """Build ``al.features``: a name of :data:`NAMES`, a checkpoint's path or
    a source's config; a bad one is one line."""
    if isinstance(features, str):
        features = dict(type=NAMES[features]) if features in NAMES else dict(
            type='CheckpointFeatures', checkpoint=features)
    try:
        return FEATURE_SOURCES.build(features)
    except (KeyError, TypeError) as e:
        raise ALConfigError(f'al.features: {e.args[0] if e.args else e}')


class FeatureSource:
    """Where features come from. ``from_model``: collected by each cycle's
    scoring pass of the previous cycle's model (else from
    :meth:`features_file`, there before the pick)."""

    from_model = False

    def check(self, runner) -> None:
        """Before anything is written: raise ``ALConfigError`` for a run this
        source cannot serve."""

    def preflight(self, runner, ids_file: str, tmp_dir: str) -> None:
        """The preflight's run (``runner``): run what :meth:`prepare` runs on
        the images of ``ids_file``."""

    def prepare(self, runner) -> None:
        """Before a pick that needs features."""

    def features_file(self, runner, cycle: int) -> str:
        """The ``.npz`` (``ids``, ``features``) cycle ``cycle`` picks from."""
        return runner.files.cycle(cycle, 'features.npz')


@FEATURE_SOURCES.register_module()
class TaskFeatures(FeatureSource):
    """The pooled last backbone stage of the previous cycle's task model, from
    the cycle's scoring pass (``cycle_XX/features.npz``, the labelled images
    first when the picker needs theirs)."""

    from_model = True


@FEATURE_SOURCES.register_module()
class PretextFeatures(FeatureSource):
    """The pretext model's pooled backbone features (its first backbone call
    per image: the image itself for rotation, its L channel for
    colorization), written by the pretext stage's own scoring pass."""

    def check(self, runner) -> None:
        if runner.pretext_checkpoint is None:
            raise ALConfigError("al.features='pretext' needs a pretext stage "
                                '(PretextBatchHook in al_hooks)')

    def features_file(self, runner, cycle: int) -> str:
        return runner.files.path('pretext', 'features.npz')


@FEATURE_SOURCES.register_module()
class CheckpointFeatures(FeatureSource):
    """The task model's backbone with the weights of a self-supervised
    checkpoint (:func:`backbone_weights`): one scoring pass over the pool
    before the first pick that needs features (the phase
    ``features.scored``; an interrupted pass resumes from its shards),
    ``features/features.npz``, and ``features/backbone.pth`` the weights as
    loaded.

    Args:
        checkpoint (str): The checkpoint file.
    """

    PHASE = 'features.scored'

    def __init__(self, checkpoint: str):
        if not isinstance(checkpoint, str) or not osp.isfile(checkpoint):
            raise ALConfigError(
                f'al.features must be one of task, pretext or a checkpoint '
                f'file, got {checkpoint!r} (no such file)')
        self.checkpoint = checkpoint

    def features_file(self, runner, cycle: int) -> str:
        return runner.files.path('features', 'features.npz')

    def check(self, runner) -> None:
        """The checkpoint holds the task model's backbone (not checked again
        once its features are made)."""
        from mmengine.registry import init_default_scope
        if osp.isfile(self.features_file(runner, 0)):
            return
        init_default_scope(runner.cfg.get('default_scope', 'mmseg'))
        backbone_weights(self.checkpoint, runner.cfg)

    def preflight(self, runner, ids_file: str, tmp_dir: str) -> None:
        self._pass(runner, ids_file, None)

    def prepare(self, runner) -> None:
        if runner.state.done(self.PHASE):
            return
        ids_file = runner.files.path('features', 'candidates.txt')
        runner.files.write_ids(ids_file, runner.pool.ids)
        left_file, num_left = left_to_score(runner,
                                            runner.files.path('features'),
                                            runner.pool.ids)
        runner.log(f'features: the pool ({len(runner.pool.ids)} images) '
                   f'through the backbone of {self.checkpoint} (its decode '
                   'head is not used: mmengine lists it as missing)')
        self._pass(runner, ids_file, left_file, num_left)
        runner.mark(self.PHASE)

    def _pass(self, runner, ids_file: str, left_file, num_left: int = 1):
        weights = runner.files.path('features', 'backbone.pth')
        if not osp.isfile(weights):
            master_only(save_weights)(weights,
                                      backbone_weights(self.checkpoint,
                                                       runner.cfg), {})
        out_dir = runner.files.path('features')
        metric = outputs_metric({'feature'},
                                features_file=self.features_file(runner, 0))
        c = pc.score_config(runner.cfg, runner.pool, out_dir, ids_file,
                            weights, metric, True, left_file)
        run_scoring(runner, c, 'features', num_left)


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

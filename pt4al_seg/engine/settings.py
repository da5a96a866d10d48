"""The ``al`` section of a config, parsed once into typed settings.

Every default lives in :class:`ALSettings`; names of parts are checked against
their registries and file-valued settings on disk, all before anything is
written.
"""
import copy
import os.path as osp
from dataclasses import asdict, dataclass, field, fields
from typing import Dict, Optional

import cv2
from mmengine.config import Config

from ..datasets.label_maps import normalize_palette
from ..strategies import Strategy
from ..utils.errors import UserError

MODES = ('simulate', 'annotate')
INITS = ('scratch', 'previous', 'pretext')
RESUME_TRAINING = ('restart', 'checkpoint')
FEATURES = ('task', 'pretext')
# Keys of pt4al_seg 0.1 and what replaced them.
RENAMED = {
    'selector': 'al.query',
    'pick': 'al.picker',
    'strategy':
    "al_hooks (PretextBatchHook for PT4AL; none for a pool strategy)",
    'order': "the order argument of PretextBatchHook in al_hooks",
    'seed': 'al.cold_start.query.seed',
}


class ALConfigError(UserError):
    """A setting of the run's config (or its data) that cannot work, with the
    culprit named."""


@dataclass
class ALSettings:
    """What an active-learning run is asked to do (the config's ``al``
    section).

    Args:
        num_cycles (int): K, the number of cycles (and of PT4AL's pretext
            batches).
        budget (int): Images labelled per cycle.
        query (dict): Query of cycles 1..K-1 (``pt4al_seg.registry.QUERIES``).
            Defaults to ``dict(type='LeastConfidence')``.
        picker (dict): Picker of cycles 1..K-1 (``PICKERS``). Defaults to
            ``dict(type='TopK')``.
        cold_start (dict): ``picker`` (and ``query``) of cycle 0, when no model
            exists. Defaults to a seeded random pick (``Random`` query, seed 0,
            ``TopK``).
        features (str): Where pickers that need features (``TypiClust``,
            ``ProbCover``, ``KCenterGreedy``) take them: the pooled backbone
            features of the previous cycle's task model (``'task'``, one
            scoring pass per cycle), of the pretext model (``'pretext'``:
            ``pretext/features.npz``, written once by the pretext stage), or
            of the task model's backbone with the weights of a
            self-supervised checkpoint (its path: ``features/features.npz``,
            one pass per run, see
            :mod:`~pt4al_seg.engine.checkpoint_features`); the last two are
            there before any label exists (usable by ``cold_start``).
            Defaults to 'task'.
        mode (str): ``'simulate'`` (labels on disk) or ``'annotate'`` (ask for
            them after each selection). Defaults to 'simulate'.
        export_dir (str, optional): Annotate: copy the images to label here.
            Defaults to None.
        init (str): A cycle's model starts from ``'scratch'`` (the paper), the
            ``'previous'`` cycle's model (the official code) or the
            ``'pretext'`` backbone. Defaults to 'scratch'.
        score_batch_size (int): Images per scoring batch. Defaults to 4.
        region_mask (str, optional): Image whose 0-valued pixels are left out
            of every score. Defaults to None.
        bf16 (bool): bf16 autocast while scoring (on the GPU; on a CPU too,
            where it is slower without bf16 units). Defaults to False.
        resume_training (str): ``--resume`` redoes an interrupted training
            phase from its start (``'restart'``, identical results) or
            continues from mmengine's last checkpoint (``'checkpoint'``).
            Defaults to 'restart'.
        metric (str): ``summary.csv``'s metric column. Defaults to 'mIoU'.
        references (dict, optional): Name to value, drawn as lines in
            ``summary.png``. Defaults to None.
        label_palette (list | dict | str, optional): Colour-coded label maps:
            the colour of each class (``[(r, g, b), ...]``, or a dict class ->
            ``(r, g, b)``, 255 for ignore), or ``'metainfo'`` for the palette
            the dataset declares. Defaults to None (maps hold indices).
    """
    num_cycles: int
    budget: int
    query: dict = field(default_factory=lambda: dict(type='LeastConfidence'))
    picker: dict = field(default_factory=lambda: dict(type='TopK'))
    cold_start: dict = field(default_factory=lambda: dict(
        query=dict(type='Random', seed=0), picker=dict(type='TopK')))
    features: str = 'task'
    mode: str = 'simulate'
    export_dir: Optional[str] = None
    init: str = 'scratch'
    score_batch_size: int = 4
    region_mask: Optional[str] = None
    bf16: bool = False
    resume_training: str = 'restart'
    metric: str = 'mIoU'
    references: Optional[Dict[str, float]] = None
    label_palette: Optional[object] = None

    @classmethod
    def from_config(cls, cfg: Config) -> 'ALSettings':
        """Parse and check ``cfg.al``; raises :class:`ALConfigError` naming the
        first setting that cannot work."""
        al = cfg.get('al')
        if al is None:
            raise ALConfigError(
                'the config has no `al` section (see configs/_base_/al/)')
        al = copy.deepcopy(
            al.to_dict() if hasattr(al, 'to_dict') else dict(al))
        known = {f.name for f in fields(cls)}
        for key in al:
            if key in RENAMED:
                raise ALConfigError(
                    f'al.{key} is no longer a setting: use {RENAMED[key]}')
            if key not in known:
                raise ALConfigError(f'unknown setting al.{key}; known: '
                                    f'{", ".join(sorted(known))}')
        for key in ('num_cycles', 'budget'):
            _positive_int(al, key)
        _positive_int(al, 'score_batch_size', required=False)
        settings = cls(**al)
        settings._check()
        return settings

    def _check(self) -> None:
        for key, allowed in (('mode', MODES), ('init', INITS),
                             ('resume_training', RESUME_TRAINING)):
            if getattr(self, key) not in allowed:
                raise ALConfigError(
                    f'al.{key} must be one of {", ".join(allowed)}, got '
                    f'{getattr(self, key)!r}')
        if self.features not in FEATURES and not (isinstance(
                self.features, str) and osp.isfile(self.features)):
            raise ALConfigError(
                f'al.features must be one of {", ".join(FEATURES)} or a '
                f'checkpoint file, got {self.features!r} (no such file)')
        self.strategy()
        cold = self.cold_start_strategy()
        feature_needs = {'feature', 'labelled_feature'}
        if self.features != 'task' and not feature_needs & set(
                self.strategy().needs + cold.needs):
            raise ALConfigError(
                f'al.features={self.features!r} but neither al.picker nor '
                'al.cold_start.picker uses features (e.g. TypiClust, '
                'ProbCover, KCenterGreedy)')
        if getattr(cold.picker, 'needs_labelled', False):
            raise ALConfigError(
                f'al.cold_start: {type(cold.picker).__name__} learns from '
                'labelled images, and cycle 0 has none')
        if cold.needs_model:
            raise ALConfigError(
                'al.cold_start picks before any model exists: its query and '
                'picker must need no model (e.g. Random + TopK, EveryNth, or '
                "TypiClust/ProbCover with al.features='pretext' or a "
                'checkpoint)')
        if self.region_mask is not None:
            if not osp.isfile(self.region_mask):
                raise ALConfigError(
                    f'al.region_mask: {self.region_mask} does not exist')
            if cv2.imread(self.region_mask, cv2.IMREAD_GRAYSCALE) is None:
                raise ALConfigError(
                    f'al.region_mask: {self.region_mask} is not a readable '
                    'image')

        if self.label_palette != 'metainfo':
            try:
                normalize_palette(self.label_palette)
            except ValueError as e:
                raise ALConfigError(
                    f"{e} (or 'metainfo': the dataset's palette)") from e

    def strategy(self) -> Strategy:
        """The query and picker of cycles 1..K-1."""
        return _strategy(
            dict(picker=self.picker, query=self.query), 'al', self.features)

    def cold_start_strategy(self) -> Strategy:
        """The query and picker of cycle 0."""
        if not isinstance(self.cold_start,
                          dict) or 'picker' not in self.cold_start:
            raise ALConfigError(
                "al.cold_start must be a dict with a picker, e.g. "
                "dict(picker=dict(type='EveryNth'))")
        return _strategy(self.cold_start, 'al.cold_start', self.features)

    def check_pool(self, pool_size: int) -> None:
        """The budget fits a pool of ``pool_size`` images."""
        total = self.num_cycles * self.budget
        if total > pool_size:
            raise ALConfigError(
                f'al.num_cycles x al.budget = {self.num_cycles} x '
                f'{self.budget} = {total} exceeds the pool of {pool_size} '
                'images')

    def to_dict(self) -> dict:
        return asdict(self)


def _strategy(spec: dict, name: str, features: str) -> Strategy:
    unknown = set(spec) - {'picker', 'query'}
    if unknown:
        raise ALConfigError(
            f'{name}: unknown keys {sorted(unknown)} (picker, query)')
    try:
        return Strategy(spec['picker'], spec.get('query'), name, features)
    except ValueError as e:
        raise ALConfigError(str(e)) from e


def _positive_int(al: dict, key: str, required: bool = True) -> None:
    if key not in al and not required:
        return
    value = al.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ALConfigError(
            f'al.{key} must be a positive integer, got {value!r}')


def check_config(cfg: Config) -> None:
    """The parts of a run's config outside ``al`` that the runner relies on."""
    if 'score_pipeline' not in cfg:
        raise ALConfigError(
            'the config has no score_pipeline (the test pipeline without '
            'LoadAnnotations)')
    for t in cfg.score_pipeline:
        if t.get('type') == 'LoadAnnotations':
            raise ALConfigError(
                'score_pipeline must not contain LoadAnnotations: scoring '
                'unlabelled images may not read their label maps')
        if t.get('type') == 'PackClsInputs' and t.get('with_label', True):
            raise ALConfigError('score_pipeline must pack no labels: use '
                                "dict(type='PackClsInputs', with_label=False)")

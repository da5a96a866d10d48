"""The ``al`` section of a config, parsed once into typed settings.

Every default lives in :class:`ALSettings`; names of parts are checked against
their registries and file-valued settings on disk, all before anything is
written.
"""
import copy
import inspect
import os.path as osp
from dataclasses import asdict, dataclass, field, fields
from typing import Callable, Dict, Optional, Union

import cv2
from mmengine.config import Config

from ..datasets.label_maps import LABEL_LOADERS, normalize_palette
from ..strategies import Strategy
from ..utils.errors import ALConfigError  # noqa: F401 (its home before)

MODES = ('simulate', 'annotate')
INITS = ('scratch', 'previous', 'pretext')
RESUME_TRAINING = ('restart', 'checkpoint')
# Keys of pt4al_seg 0.1 and what replaced them.
RENAMED = {
    'selector': 'al.query',
    'pick': 'al.picker',
    'strategy':
    "al_hooks (PretextBatchHook for PT4AL; none for a pool strategy)",
    'order': "the order argument of PretextBatchHook in al_hooks",
    'seed': 'al.cold_start.query.seed',
}


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
            exists. Defaults to a seeded random pick (``Random`` query,
            ``TopK``).
        features (str | dict): Where pickers that need features
            (``TypiClust``, ``ProbCover``, ``KCenterGreedy``...) take them:
            ``'task'`` (the previous cycle's task model, its scoring pass),
            ``'pretext'`` (the pretext model's), a self-supervised
            checkpoint's path, or a source's config
            (:mod:`~pt4al_seg.engine.feature_sources`); all but the first are
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
        model (dict, optional): Merged into the config's ``model`` for every
            phase that trains or scores the task model: what a strategy adds
            to it (Learning Loss's module, MCDAL's classifiers, VAAL, a
            dropout rate). A strategy is a config base beside the model's, and
            mmengine refuses a key set by two bases, so it says it here.
            Defaults to None.

    Parts with a ``seed`` argument (``Random``, ``TypiClust``, ``BADGE``...)
    that the config leaves without one get the run's
    (``randomness.seed``; 0 when unset).
    """
    num_cycles: int
    budget: int
    query: dict = field(default_factory=lambda: dict(type='LeastConfidence'))
    picker: dict = field(default_factory=lambda: dict(type='TopK'))
    cold_start: dict = field(default_factory=lambda: dict(
        query=dict(type='Random'), picker=dict(type='TopK')))
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
    model: Optional[dict] = None

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
        if al.get('model') is not None and not isinstance(al['model'], dict):
            raise ALConfigError(
                f'al.model must be a dict merged into model, got '
                f'{al["model"]!r}')
        for f in fields(cls):  # the parts, to seed them
            if f.name in ('query', 'picker',
                          'cold_start') and f.name not in al:
                al[f.name] = f.default_factory()
        seed = (cfg.get('randomness') or {}).get('seed')
        _seed_parts(al, 0 if seed is None else seed)
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
        source = self.feature_source()
        self.strategy()
        cold = self.cold_start_strategy()
        feature_needs = {'feature', 'labelled_feature'}
        if not source.from_model and not feature_needs & set(
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

    def feature_source(self):
        """Where pickers take features (``al.features``, see
        :mod:`~pt4al_seg.engine.feature_sources`)."""
        from .feature_sources import feature_source
        return feature_source(self.features)

    def strategy(self) -> Strategy:
        """The query and picker of cycles 1..K-1."""
        return _strategy(
            dict(picker=self.picker, query=self.query), 'al',
            self.feature_source().from_model)

    def cold_start_strategy(self) -> Strategy:
        """The query and picker of cycle 0."""
        if not isinstance(self.cold_start,
                          dict) or 'picker' not in self.cold_start:
            raise ALConfigError(
                "al.cold_start must be a dict with a picker, e.g. "
                "dict(picker=dict(type='EveryNth'))")
        return _strategy(self.cold_start, 'al.cold_start',
                         self.feature_source().from_model)

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


def _strategy(spec: dict, name: str, model_features: bool) -> Strategy:
    unknown = set(spec) - {'picker', 'query'}
    if unknown:
        raise ALConfigError(
            f'{name}: unknown keys {sorted(unknown)} (picker, query)')
    try:
        return Strategy(spec['picker'], spec.get('query'), name,
                        model_features)
    except ValueError as e:
        raise ALConfigError(str(e)) from e


def _seed_parts(al: dict, seed: int) -> None:
    """Give the parts of ``al`` that take a ``seed`` and have none the run's
    ``seed`` (in place)."""
    from ..registry import PICKERS, QUERIES
    cold = al.get('cold_start')
    cold = cold if isinstance(cold, dict) else {}
    parts = ((al.get('query'), QUERIES), (al.get('picker'), PICKERS),
             (cold.get('query'), QUERIES), (cold.get('picker'), PICKERS))
    for spec, registry in parts:
        if not isinstance(spec, dict) or 'seed' in spec:
            continue
        cls = registry.get(spec.get('type')) if isinstance(
            spec.get('type'), str) else None
        if cls is not None and 'seed' in inspect.signature(cls).parameters:
            spec['seed'] = seed


def _positive_int(al: dict, key: str, required: bool = True) -> None:
    if key not in al and not required:
        return
    value = al.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ALConfigError(
            f'al.{key} must be a positive integer, got {value!r}')


def check_model(cfg: Config, *strategies: Strategy) -> None:
    """The task model gives what the strategies' queries read (their
    ``model_type``, e.g. ``MCDALEncoderDecoder`` for ``MCDAL``)."""
    from mmseg.registry import MODELS
    for strategy in strategies:
        want = getattr(strategy.query, 'model_type', None)
        if want is None:
            continue
        have = MODELS.get(cfg.model.get('type', ''))
        if not (isinstance(have, type) and issubclass(have, MODELS.get(want))):
            raise ALConfigError(
                f'{type(strategy.query).__name__} reads what a {want} '
                f'predicts, and model.type is {cfg.model.get("type")!r}: set '
                f"al.model=dict(type='{want}') (its strategy config does)")


def check_config(cfg: Config) -> None:
    """The parts of a run's config outside ``al`` that the runner relies on."""
    if 'score_pipeline' not in cfg:
        raise ALConfigError(
            'the config has no score_pipeline (the test pipeline without '
            'LoadAnnotations)')
    for t in cfg.score_pipeline:
        if t.get('type') in LABEL_LOADERS:
            raise ALConfigError(
                f'score_pipeline must not contain {t["type"]}: scoring '
                'unlabelled images may not read their labels')


def hook_configs(al_hooks: Union[dict, list, None]) -> Dict[str, dict]:
    """``al_hooks`` as ``{name: config}`` in config order: a dict's entries
    that are not None, or a list's, each named as its class says (its
    ``name``: PT4AL's stage is ``'pretext'``) or by its type (``Type#2`` for
    a second one)."""
    from ..registry import AL_HOOKS
    if isinstance(al_hooks, dict):
        return {k: dict(v) for k, v in al_hooks.items() if v is not None}
    out: Dict[str, dict] = {}
    for cfg in al_hooks or []:
        cls = cfg.get('type')
        cls = AL_HOOKS.get(cls) if isinstance(cls, str) else cls
        out[_unused_name(out, cfg, getattr(cls, 'name', None))] = dict(cfg)
    return out


def hooks_by_type(al_hooks: Union[dict, list, None],
                  kept: Optional[Callable] = None) -> Dict[str, dict]:
    """``al_hooks`` keyed by type (``Type#2`` for a second one), whatever
    their names: what a run's settings record. ``kept(cls)`` filters by
    class."""
    from ..registry import AL_HOOKS
    out: Dict[str, dict] = {}
    for cfg in hook_configs(al_hooks).values():
        cls = cfg.get('type')
        cls = AL_HOOKS.get(cls) if isinstance(cls, str) else cls
        if kept is None or cls is None or kept(cls):
            out[_unused_name(out, cfg)] = cfg
    return out


def _unused_name(taken: dict, cfg: dict, name: Optional[str] = None) -> str:
    base = name or str(cfg.get('type'))
    name, k = base, 1
    while name in taken:
        k += 1
        name = f'{base}#{k}'
    return name

"""Checks of a run's settings, done before anything is written."""

from typing import Optional

from mmengine.config import Config
from mmengine.registry import init_default_scope

from ..registry import SELECTORS

STRATEGIES = ('pt4al', 'pool')
INITS = ('scratch', 'previous', 'pretext')


class ALConfigError(ValueError):
    """A setting of the run's config (or its data) that cannot work, with the culprit named."""


def _positive_int(al, key: str) -> int:
    value = al.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ALConfigError(f'al.{key} must be a positive integer, got {value!r}')
    return value


def check_settings(cfg: Config, pool_size: Optional[int] = None) -> None:
    """Raise :class:`ALConfigError` naming the first setting that cannot work.

    Args:
        cfg (Config): The run's config.
        pool_size (int, optional): Number of training images, to check the budget against.
            Defaults to None (not checked).
    """
    from mmseg.registry import MODELS
    al = cfg.get('al')
    if al is None:
        raise ALConfigError('the config has no `al` section (see configs/_base_/al/)')
    cycles, budget = _positive_int(al, 'num_cycles'), _positive_int(al, 'budget')
    strategy = al.get('strategy', 'pt4al')
    if strategy not in STRATEGIES:
        raise ALConfigError(f'unknown al.strategy {strategy!r}; known: {", ".join(STRATEGIES)}')
    if al.get('init', 'scratch') not in INITS:
        raise ALConfigError(f'unknown al.init {al.get("init")!r}; known: {", ".join(INITS)}')
    if al.get('init') == 'pretext' and strategy != 'pt4al':
        raise ALConfigError("al.init='pretext' needs the pretext stage (al.strategy='pt4al')")
    sel = al.get('selector', {}).get('type')
    if SELECTORS.get(sel) is None:
        raise ALConfigError(f'unknown al.selector {sel!r}; known: '
                            f'{", ".join(sorted(SELECTORS.module_dict))}')
    if al.get('resume_training', 'restart') not in ('restart', 'checkpoint'):
        raise ALConfigError(f'al.resume_training must be restart or checkpoint, got '
                            f'{al.get("resume_training")!r}')
    picks = ('TopK', 'ClassBalanced', 'KCenterGreedy')
    if al.get('pick', {}).get('type', 'TopK') not in picks:
        raise ALConfigError(f'unknown al.pick {al.get("pick", {}).get("type")!r}; known: '
                            f'{", ".join(picks)}')
    if al.get('mode', 'simulate') not in ('simulate', 'annotate'):
        raise ALConfigError(f'al.mode must be simulate or annotate, got {al.get("mode")!r}')
    if al.get('order', 'descending') not in ('descending', 'ascending'):
        raise ALConfigError(f'al.order must be descending or ascending, got {al.get("order")!r}')
    if any(t.get('type') == 'LoadAnnotations' for t in cfg.get('score_pipeline', [])):
        raise ALConfigError('score_pipeline must not contain LoadAnnotations: scoring '
                            'unlabelled images may not read their label maps')
    if any(t.get('type') == 'PackClsInputs' and t.get('with_label', True)
           for t in cfg.get('score_pipeline', [])):
        raise ALConfigError('score_pipeline must pack no labels: use '
                            "dict(type='PackClsInputs', with_label=False)")
    if 'score_pipeline' not in cfg:
        raise ALConfigError('the config has no score_pipeline (the test pipeline without '
                            'LoadAnnotations)')
    if strategy == 'pt4al':
        pretext = cfg.get('pretext')
        if pretext is None:
            raise ALConfigError("al.strategy='pt4al' needs a `pretext` section "
                                '(configs/_base_/pretext/)')
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        if MODELS.get(pretext.model.type) is None:
            raise ALConfigError(f'unknown pretext model {pretext.model.type!r}; known: '
                                'ColorizationPretext, RotationPretext')
    if pool_size is None:
        return
    if strategy == 'pt4al' and budget > pool_size // cycles:
        raise ALConfigError(f'al.budget {budget} exceeds the smallest cycle batch '
                            f'({pool_size} images / {cycles} cycles = {pool_size // cycles})')
    if cycles * budget > pool_size:
        raise ALConfigError(f'al.num_cycles x al.budget = {cycles} x {budget} = '
                            f'{cycles * budget} exceeds the pool of {pool_size} images')

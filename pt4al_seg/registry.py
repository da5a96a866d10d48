"""Where pt4al_seg registers its modules (one decision, tested in
tests/test_registry.py).

* Everything an mmengine Runner builds from a config (data sets, transforms,
  models, metrics, loops, hooks) and the :class:`ActiveLearningRunner` itself
  register into **mmseg's registries** (``mmseg.registry``), since every config
  runs with ``default_scope='mmseg'``; configs load this package with
  ``custom_imports=dict(imports=['pt4al_seg'])``.
* What only the active-learning runner builds lives in root registries of this
  package, whose ``locations`` import the modules that fill them:

  - **QUERIES**: model outputs -> one score per image (``LeastConfidence``,
    ...);
  - **PICKERS**: scores / classes / features -> the chosen ids (``TopK``, ...);
  - **FEATURE_SOURCES**: where pickers take features (``al.features``);
  - **AL_HOOKS**: hooks called at the stages of the method
    (``PretextBatchHook``, ...).

  They are built without mmengine's scope switching: these parts exist in no
  other OpenMMLab scope, and switching from ``default_scope='mmseg'`` would
  only warn that mmseg has no such registry.
"""
from mmengine.registry import Registry


def build_part(cfg: dict, registry: Registry, default_args: dict = None):
    """Build ``cfg['type']`` from ``registry`` with the other keys as
    arguments (``_scope_``, which mmengine adds to dicts read from
    ``pt4al_seg::`` bases, is not one)."""
    args = dict(cfg)
    args.pop('_scope_', None)
    if default_args:
        for key, value in default_args.items():
            args.setdefault(key, value)
    name = args.pop('type', None)
    cls = registry.get(name) if isinstance(name, str) else name
    if cls is None:
        raise KeyError(f'unknown {registry.name} {name!r}; known: '
                       f'{", ".join(sorted(registry.module_dict))}')
    return cls(**args)


QUERIES = Registry(
    'query',
    build_func=build_part,
    scope='pt4al_seg',
    locations=['pt4al_seg.strategies.queries'])
PICKERS = Registry(
    'picker',
    build_func=build_part,
    scope='pt4al_seg',
    locations=['pt4al_seg.strategies.pickers'])
FEATURE_SOURCES = Registry(
    'feature_source',
    build_func=build_part,
    scope='pt4al_seg',
    locations=['pt4al_seg.engine.feature_sources'])
AL_HOOKS = Registry(
    'al_hook',
    build_func=build_part,
    scope='pt4al_seg',
    locations=['pt4al_seg.engine.hooks'])


def _scope_children() -> dict:
    """A registry of scope ``pt4al_seg`` under each of mmseg's, so that a
    config read from ``pt4al_seg::`` bases (whose dicts mmengine marks
    ``_scope_='pt4al_seg'``) builds from mmseg's registries without a
    'Failed to search registry' warning: the children hold nothing and pass
    every lookup to their mmseg parent."""
    import mmseg.registry as mmseg_registry
    return {
        name:
        Registry(
            reg.name, parent=reg, scope='pt4al_seg', locations=['pt4al_seg'])
        for name, reg in vars(mmseg_registry).items()
        if isinstance(reg, Registry)
    }


MMSEG_SCOPE_CHILDREN = _scope_children()

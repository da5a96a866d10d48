"""Where pt4al_seg registers its modules (one decision, tested in tests/test_registry.py).

* Everything a Runner builds from a config (data sets, transforms, models, metrics, loops,
  hooks) registers into **mmseg's registries** (``mmseg.registry``), since every config runs
  with ``default_scope='mmseg'``; configs load this package with
  ``custom_imports=dict(imports=['pt4al_seg'])``.
* What only the active-learning driver builds (selectors that turn model outputs into
  per-image scores) lives in **SELECTORS** below, a root registry of this package whose
  ``locations`` import the modules that fill it.
"""
from mmengine.registry import Registry

SELECTORS = Registry('selector', locations=['pt4al_seg.selectors'])

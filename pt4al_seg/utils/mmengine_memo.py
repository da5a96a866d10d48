"""Two memos around mmengine's config handling: they save every run seconds
and change nothing it reads or writes.

- ``Config.pretty_text`` formats the config with yapf each time a Runner
  logs its config, dumps it or saves a checkpoint (``meta['cfg']``): 29 times
  in the demo's two-cycle run, 9 of its 34 s on the 2-core machine. The
  formatting is a function of the text alone, so its result is kept per text.
- Each ``mmseg::_base_/...`` base makes mmengine read all of mmseg's metafiles
  (about 300 yaml files, 0.5 s) to look the path up as a model config before
  it falls back to the package's ``_base_`` folder. The table of model configs
  is read once per package here.

Installed when ``pt4al_seg`` is imported (:func:`install`).
"""
import functools
import os.path as osp
import warnings

import mmengine.config.config as config_module
import mmengine.config.utils as config_utils
from mmengine.fileio import load

_format_code = config_module.FormatCode
_formatted: dict = {}


def format_code(text: str, style_config=None, **kwargs):
    """yapf's ``FormatCode``, the result kept per (text, style)."""
    key = (text, repr(style_config), repr(sorted(kwargs.items())))
    if key not in _formatted:
        if len(_formatted) >= 64:
            _formatted.clear()
        _formatted[key] = _format_code(
            text, style_config=style_config, **kwargs)
    return _formatted[key]


@functools.lru_cache(maxsize=None)
def model_configs(package_path: str) -> dict:
    """``{config name: model entry}`` of a package's metafiles, as
    ``mmengine.config.utils._get_cfg_metainfo`` builds it."""
    index = load(osp.join(package_path, '.mim', 'model-index.yml'))
    configs = dict()
    for meta_path in index['Import']:
        meta = load(osp.join(package_path, '.mim', meta_path))
        for model_cfg in meta['Models']:
            if 'Config' not in model_cfg:
                warnings.warn(f'There is not `Config` define in {model_cfg}')
                continue
            # the first of several weights of a config, as mmengine
            configs.setdefault(model_cfg['Config'].partition('/')[-1],
                               model_cfg)
    return configs


def cfg_metainfo(package_path: str, cfg_path: str) -> dict:
    """``_get_cfg_metainfo`` on the table read once."""
    configs = model_configs(package_path)
    if cfg_path not in configs:
        raise ValueError(f'Expected configs: {configs.keys()}, but got '
                         f'{cfg_path}')
    return configs[cfg_path]


def install() -> None:
    config_module.FormatCode = format_code
    config_utils._get_cfg_metainfo = cfg_metainfo

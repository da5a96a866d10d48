"""Config helpers shared by the tools and the driver."""
import copy
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def leaf_datasets(dataset: dict) -> list:
    """The datasets inside wrappers (ConcatDataset, RepeatDataset...)."""
    if 'datasets' in dataset:
        return [d for sub in dataset['datasets'] for d in leaf_datasets(sub)]
    if 'dataset' in dataset:
        return leaf_datasets(dataset['dataset'])
    return [dataset]


def propagate_data_root(cfg: Config,
                        file_cfg: Optional[Config] = None) -> None:
    """Let the top-level ``data_root`` reach every dataloader whose root was
    not given on the command line; make every root absolute.

    mmseg's base dataset configs copy ``data_root`` into each dataloader when
    the file is read, so ``--cfg-options data_root=...`` alone would not reach
    them, and a leaf config's ``data_root`` would not either. A loader whose
    root ``--cfg-options`` changed (``train_dataloader.dataset.data_root=...``,
    the mmseg way of pointing one loader elsewhere) keeps it.

    Args:
        cfg (Config): The config, changed in place.
        file_cfg (Config, optional): The same config as its file gives it
            (before ``--cfg-options``), to tell which loader roots the command
            line set. Defaults to None (none did).
    """
    root = cfg.get('data_root')
    if root is not None:
        root = cfg.data_root = osp.abspath(root)
    for key in DATALOADERS:
        loader = cfg.get(key)
        if loader is None:
            continue
        given = file_cfg.get(key) if file_cfg is not None else None
        given = leaf_datasets(given['dataset']) if given else []
        for i, dataset in enumerate(leaf_datasets(loader['dataset'])):
            own = dataset.get('data_root')
            from_cli = i < len(given) and own != given[i].get('data_root')
            if root is not None and not from_cli:
                dataset['data_root'] = root
            elif own is not None:
                dataset['data_root'] = osp.abspath(own)


_read: dict = {}


def read_config(path: str) -> Config:
    """``Config.fromfile(path)``, read once per process while the file is
    unchanged (the tools read it, then the runner reads it again to tell
    ``--cfg-options`` apart); a copy on each call."""
    key = (osp.abspath(path), os.stat(path).st_mtime_ns)
    if key not in _read:
        _read[key] = Config.fromfile(path)
    return copy.deepcopy(_read[key])


def file_config(cfg: Config) -> Optional[Config]:
    """The config as its file gives it (before any ``--cfg-options``)."""
    if not cfg.filename or not osp.isfile(cfg.filename):
        return None
    return read_config(cfg.filename)


def data_roots(cfg: Config) -> dict:
    """``{loader: data_root}`` of each dataloader (its first dataset's)."""
    return {
        key: leaf_datasets(cfg[key]['dataset'])[0].get('data_root')
        for key in DATALOADERS if cfg.get(key) is not None
    }


def dataset_dirs(dataset: dict, scope: str = 'mmseg') -> tuple:
    """``(img_dir, img_suffix)`` of a dataset config, as the dataset class
    resolves them (``data_root`` joined, the class's default suffix); nothing
    is read from disk. The suffix is None for datasets without image files
    (CIFAR-10's python format)."""
    from mmengine.registry import DATASETS, init_default_scope
    init_default_scope(scope)
    cfg = copy.deepcopy(dict(dataset))
    cfg.update(lazy_init=True, pipeline=[])
    built = DATASETS.build(cfg)
    return built.data_prefix.get('img_path',
                                 ''), getattr(built, 'img_suffix', None)


def config_path(path: str) -> str:
    """``path`` with a ``package::`` scope resolved as mmengine resolves
    bases (``<package>/.mim/configs/...``); other paths as they are."""
    if '::' not in path:
        return path
    import importlib
    package, _, rel = path.partition('::')
    root = osp.dirname(importlib.import_module(package).__file__)
    return osp.join(root, '.mim', 'configs', rel)


def register_config_scope() -> None:
    """Let configs inherit this package's bases as ``pt4al_seg::path``.

    mmengine resolves ``package::path`` from ``<package>/.mim/configs`` (where
    this package ships ``configs/``, as mmseg does) only for packages named in
    its ``MODULE2PACKAGE`` table, which lists OpenMMLab's own; importing
    pt4al_seg adds this package to it. So the scope works wherever pt4al_seg
    is imported before the config is read: in this package's tools, or with
    ``python -c 'import pt4al_seg, runpy; ...'`` around another tool.
    """
    from mmengine.config.utils import MODULE2PACKAGE
    MODULE2PACKAGE.setdefault('pt4al_seg', 'pt4al_seg')

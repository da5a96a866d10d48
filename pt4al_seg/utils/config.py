"""Config helpers shared by the tools and the driver."""
import copy
import os.path as osp

from mmengine.config import Config

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _set_root(dataset: dict, root: str) -> None:
    if 'datasets' in dataset:  # ConcatDataset
        for d in dataset['datasets']:
            _set_root(d, root)
    elif 'dataset' in dataset:  # RepeatDataset and other wrappers
        _set_root(dataset['dataset'], root)
    else:
        dataset['data_root'] = root


def propagate_data_root(cfg: Config, absolute: bool = True) -> None:
    """Make the top-level ``data_root`` reach every dataloader's dataset.

    mmseg's base dataset configs copy ``data_root`` into each dataloader when
    the file is read, so ``--cfg-options data_root=...`` alone would not reach
    them; every tool calls this after merging the command-line options.

    Args:
        cfg (Config): The config, changed in place.
        absolute (bool): Store the root as an absolute path. Defaults to True.
    """
    root = cfg.get('data_root')
    if root is None:
        return
    if absolute:
        root = osp.abspath(root)
    cfg.data_root = root
    for key in DATALOADERS:
        loader = cfg.get(key)
        if loader is not None:
            _set_root(loader['dataset'], root)


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

"""What the tools share: mmseg's common flags and the config they produce."""
import argparse
import copy
import os
import os.path as osp
from typing import Callable, Optional

from mmengine.config import Config, DictAction

from .config import propagate_data_root, read_config
from .errors import UserError, config_syntax_error


def add_common_args(
        parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--cfg-options``, ``--launcher`` and ``--local-rank``, as in mmseg's
    tools."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings, xxx=yyy format, e.g. data_root=/data/cs '
        'al.budget=50')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an expected error (bad input)')
    return parser


def load_config(args: argparse.Namespace,
                prog: str,
                edit: Optional[Callable[[Config], Config]] = None) -> Config:
    """Read ``args.config``, ``edit`` it (e.g. put another strategy in), merge
    ``--cfg-options``, let ``data_root`` reach the dataloaders (see
    :func:`propagate_data_root`) and set the launcher; a missing file or a
    syntax error is a :class:`UserError`."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    if not osp.isfile(args.config):
        raise UserError(f'config file {args.config} does not exist')
    try:
        cfg = read_config(args.config)
    except SyntaxError as e:
        raise config_syntax_error(e, args.config) from e
    if edit is not None:
        cfg = edit(cfg)
    cfg.launcher = args.launcher
    as_file = copy.deepcopy(cfg)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    propagate_data_root(cfg, as_file)
    return cfg


def enable_amp(cfg: Config) -> None:
    """``--amp``: mixed precision training (mmengine's ``AmpOptimWrapper``,
    dynamic loss scale) for the task model and the pretext model; a
    :class:`UserError` where no CUDA GPU is visible (the wrapper asserts
    one)."""
    import torch
    if not torch.cuda.is_available():
        raise UserError('--amp needs a CUDA GPU (AmpOptimWrapper), none '
                        'is visible')
    pretext = cfg.get('pretext') or {}
    for wrapper in (cfg.get('optim_wrapper'), pretext.get('optim_wrapper')):
        if wrapper is not None:
            wrapper.type = 'AmpOptimWrapper'
            wrapper.loss_scale = 'dynamic'


def default_work_dir(config: str, *parents: str) -> str:
    """``./work_dirs/[parents/]<config name>``, mmseg's default."""
    return osp.join('./work_dirs', *parents,
                    osp.splitext(osp.basename(config))[0])


def report_metrics(runner, metrics: dict) -> dict:
    """Write ``metrics.json`` in the runner's work dir (rank 0) and print it.
    """
    import json

    from .io import metrics_to_builtin, write_json
    metrics = metrics_to_builtin(metrics)
    if runner.rank == 0:
        write_json(osp.join(runner.work_dir, 'metrics.json'), metrics)
        print(json.dumps(metrics))
    return metrics

"""Evaluate a checkpoint with its config, as mmseg's tools/test.py does.

    python tools/test.py work_dirs/demo/cycle_02/config.py work_dirs/demo/cycle_02/model.pth
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a segmentor')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='dir for the logs and metrics.json (default: '
                        'work_dirs/test/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings, xxx=yyy format')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    from pt4al_seg.utils import metrics_to_builtin
    from pt4al_seg.utils.config import propagate_data_root
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    propagate_data_root(cfg)
    cfg.work_dir = args.work_dir or osp.join(
        './work_dirs', 'test', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler'):
        cfg[key] = None
    runner = Runner.from_cfg(cfg)
    metrics = metrics_to_builtin(runner.test())
    if runner.rank == 0:
        with open(osp.join(cfg.work_dir, 'metrics.json'), 'w') as f:
            json.dump(metrics, f, indent=2)
        print(json.dumps(metrics))


if __name__ == '__main__':
    main()

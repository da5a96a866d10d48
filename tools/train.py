"""Train a segmentor on its whole training set, then test it (full-supervision runs).

mmseg's tools/train.py shape; after training it evaluates the final weights on the test
split and writes ``metrics.json`` and ``model.pth`` in the work dir.

    python tools/train.py configs/fullsup/deeplabv3_r18-d8_1k_fashion-scenes-64x64.py
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description='Train and test a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--resume', action='store_true', help='resume from the latest '
                        'checkpoint in the work dir')
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
    cfg.work_dir = args.work_dir or osp.join('./work_dirs',
                                             osp.splitext(osp.basename(args.config))[0])
    cfg.resume = args.resume
    runner = Runner.from_cfg(cfg)
    runner.train()
    runner.save_checkpoint(cfg.work_dir, 'model.pth', save_optimizer=False,
                           save_param_scheduler=False)
    metrics = metrics_to_builtin(runner.test())
    if runner.rank == 0:
        with open(osp.join(cfg.work_dir, 'metrics.json'), 'w') as f:
            json.dump(metrics, f, indent=2)
        print(json.dumps(metrics))


if __name__ == '__main__':
    main()

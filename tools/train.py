"""Train a model on its whole training set, then test it (full-supervision
runs).

mmseg's tools/train.py shape; after training it evaluates the final weights on
the test split and writes ``metrics.json`` and ``model.pth`` in the work dir.

    python tools/train.py \
        configs/fullsup/deeplabv3_r18-d8_1k_fashion-scenes-64x64.py
"""
import argparse

from mmengine.runner import Runner

from pt4al_seg.engine.phase_hooks import save_weights
from pt4al_seg.utils.checkpoint import trusted_types
from pt4al_seg.utils.cli import (add_common_args, default_work_dir,
                                 load_config, report_metrics)
from pt4al_seg.utils.errors import run_tool


def parse_args():
    parser = argparse.ArgumentParser(description='Train and test a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest '
        'checkpoint in the work dir')
    return add_common_args(parser).parse_args()


def main():
    args = parse_args()
    cfg = load_config(args, 'train.py')
    cfg.work_dir = args.work_dir or default_work_dir(args.config)
    cfg.resume = args.resume
    runner = Runner.from_cfg(cfg)
    with trusted_types():  # mmengine's checkpoints when resuming
        runner.train()
    save_weights(runner, 'model.pth')
    report_metrics(runner, runner.test())


if __name__ == '__main__':
    run_tool(main, 'train.py')

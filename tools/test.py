"""Evaluate a checkpoint with its config, as mmseg's tools/test.py does.

    python tools/test.py work_dirs/demo/cycle_02/config.py \
        work_dirs/demo/cycle_02/model.pth
"""
import argparse
import os.path as osp

from mmengine.runner import Runner

from pt4al_seg.utils.checkpoint import trusted_types
from pt4al_seg.utils.cli import add_common_args, load_config, report_metrics
from pt4al_seg.utils.errors import run_tool


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='dir for the logs and metrics.json (default: '
        'test_<checkpoint name>/ next to the checkpoint, so that testing two '
        'cycles keeps both)')
    return add_common_args(parser).parse_args()


def main():
    args = parse_args()
    cfg = load_config(args, 'test.py')
    stem = osp.splitext(osp.basename(args.checkpoint))[0]
    cfg.work_dir = args.work_dir or osp.join(
        osp.dirname(osp.abspath(args.checkpoint)), f'test_{stem}')
    cfg.load_from = args.checkpoint
    cfg.resume = False
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler'):
        cfg[key] = None
    runner = Runner.from_cfg(cfg)
    with trusted_types():  # a checkpoint mmengine wrote while training
        metrics = runner.test()
    report_metrics(runner, metrics)


if __name__ == '__main__':
    run_tool(main, 'test.py')

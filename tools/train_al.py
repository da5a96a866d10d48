"""Run an active-learning experiment (PT4AL by default) from one config.

mmseg's ``tools/train.py`` shape: the config names
``runner_type='ActiveLearningRunner'`` (every strategy config of
``configs/_base_/al/strategies/``), so mmseg's own ``tools/train.py`` runs it
the same way.

    python tools/train_al.py configs/pt4al_seg/demo.py
    python tools/train_al.py configs/pt4al_seg/demo.py --strategy badge
    python tools/train_al.py CONFIG --work-dir work_dirs/x --resume
    torchrun --nproc_per_node=4 tools/train_al.py CONFIG --launcher pytorch
"""
import argparse
import sys

from pt4al_seg.utils.cli import (add_common_args, default_work_dir, enable_amp,
                                 load_config)
from pt4al_seg.utils.errors import UserError, run_tool

PROG = 'train_al.py'


def parse_args():
    parser = argparse.ArgumentParser(
        description='Train PT4AL active-learning cycles')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--work-dir',
        help='the dir to save outputs (default: '
        'work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='continue the run in the work dir from its last finished phase')
    parser.add_argument(
        '--strategy',
        help='run this strategy instead of the config\'s: a name of '
        'configs/_base_/al/strategies/ (badge, coreset, lc...) or a strategy '
        'config file')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='mixed precision training (GPU only)')
    return add_common_args(parser).parse_args()


def main():
    args = parse_args()
    from mmseg.registry import RUNNERS

    from pt4al_seg.engine.strategy_configs import apply_strategy, strategy_file
    if args.strategy:
        strategy_file(args.strategy)  # a bad name: one line, before reading
    cfg = load_config(
        args, PROG, args.strategy
        and (lambda c: apply_strategy(c, args.strategy)))
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(
        args.config)
    cfg.resume = args.resume
    if args.amp:
        enable_amp(cfg)
    if cfg.get('runner_type') != 'ActiveLearningRunner':
        raise UserError(f'{args.config} is no active-learning config (no '
                        "runner_type='ActiveLearningRunner'): inherit a "
                        'strategy of configs/_base_/al/strategies/ or pass '
                        '--strategy; plain training is tools/train.py')
    runner = RUNNERS.build(cfg)
    runner.train()
    if getattr(runner, 'awaiting', None) is not None:
        # annotation mode: labels requested, a clean stop
        again = [a for a in sys.argv if a != '--resume'] + ['--resume']
        print(f'{PROG}: {runner.awaiting}\nnext: python {" ".join(again)}')


if __name__ == '__main__':
    run_tool(main, PROG)

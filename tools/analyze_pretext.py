"""Spearman correlation of per-image pretext loss and task loss on held-out
images.

    python tools/analyze_pretext.py configs/pt4al_seg/demo.py \
        --pretext-checkpoint work_dirs/demo/pretext/model.pth \
        --task-checkpoint work_dirs/fullsup_demo/model.pth --work-dir
        work_dirs/analysis

The task checkpoint must be a model of the config's `model`, trained on the
training split (e.g. `make fullsup`). Writes pretext_losses.csv,
task_losses.csv, analysis.csv and analysis.png (normalised ranks) and prints
rho and its p-value.
"""
import argparse
import json
import os

from pt4al_seg.utils.cli import add_common_args, load_config
from pt4al_seg.utils.errors import UserError, run_tool


def main():
    parser = argparse.ArgumentParser(
        description='Pretext loss vs task loss (held out)')
    parser.add_argument(
        'config', help='an AL config (its pretext model, model and data)')
    parser.add_argument('--pretext-checkpoint', required=True)
    parser.add_argument('--task-checkpoint', required=True)
    parser.add_argument('--work-dir', required=True)
    args = add_common_args(parser).parse_args()
    from pt4al_seg.engine.h1 import analyze
    cfg = load_config(args, 'analyze_pretext.py')
    for path in (args.pretext_checkpoint, args.task_checkpoint):
        if not os.path.isfile(path):
            raise UserError(f'checkpoint {path} does not exist')
    os.makedirs(args.work_dir, exist_ok=True)
    result = analyze(cfg, args.pretext_checkpoint, args.task_checkpoint,
                     args.work_dir)
    print(json.dumps(result))


if __name__ == '__main__':
    run_tool(main, 'analyze_pretext.py')

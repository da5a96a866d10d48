"""Run strategies x seeds for one config and compare them (resumable).

    python tools/compare.py configs/pt4al_seg/demo.py \
        --strategies pt4al random lc --seeds 0 1 2 \
        --work-dir work_dirs/compare_demo

A strategy is a config of configs/_base_/al/strategies/ (its name) or a file
of your own; pt4al-<P> and pt4al-<P>-init-pretext are PT4AL with the pretext P
of the config's family (pretext.variants). Each strategy's runs use
WORK_DIR/<strategy>/config.py, the config with the strategy put in; each run
is an ordinary `tools/train_al.py WORK_DIR/<strategy>/config.py --resume` in
WORK_DIR/<strategy>/seed_<s>/ with randomness.seed=<s> (finished runs are not
redone); a run whose pretext stage would be that of an earlier run of the same
seed (same pretext settings, e.g. pt4al and pt4al-init-pretext) takes it from
there instead of training it again (AdoptPretextHook; --no-share-pretext:
every run trains its own); then WORK_DIR/compare.csv
(strategy,seed,cycle,num_labelled,<metric>), compare.png (mean ± std per
cycle), a markdown table of mean ± std per strategy and cycle (and, for runs
with a pretext stage, H1's rho and the pretext training time), and
WORK_DIR/embedding_seed_<s>.png: every strategy's picks per cycle on one
projection of the seed's first pretext features (when a run of the seed has a
pretext stage).
"""
import argparse
import os.path as osp
import subprocess
import sys

from mmengine.config import Config

from pt4al_seg.engine import ALSettings
from pt4al_seg.engine.pretext_source import pretext_stage_key
from pt4al_seg.engine.strategy_configs import strategy_names
from pt4al_seg.experiments.compare import (
    PRETEXTS, adopt_options, collect, draw_embeddings, expand_strategies,
    markdown_table, mean_std, merged_config, plot_compare, pretext_rows,
    pretext_table, run_config, uses_pretext_features, write_compare_csv,
    write_config)
from pt4al_seg.utils import atomic_write
from pt4al_seg.utils.errors import UserError, one_line, run_tool


def parse_args():
    parser = argparse.ArgumentParser(
        description='Compare active-learning strategies')
    parser.add_argument('config')
    parser.add_argument(
        '--strategies',
        nargs='+',
        default=None,
        help=f'names (from: {", ".join(strategy_names())}; pt4al-P and '
        'pt4al-P-init-pretext for a pretext P) or strategy config files '
        '(default: pt4al random lc, or none with --pretexts)')
    parser.add_argument(
        '--pretexts',
        nargs='+',
        default=[],
        choices=PRETEXTS,
        help='the pretext ablation: adds pt4al-P and pt4al-P-init-pretext '
        'for each pretext P')
    parser.add_argument(
        '--features',
        help='a self-supervised checkpoint (al.features): the strategies '
        'that pick from pretext features (typiclust, probcover, '
        'pt4al-*-start) take its features instead, the pool ones with no '
        'pretext stage')
    parser.add_argument(
        '--no-share-pretext',
        dest='share_pretext',
        action='store_false',
        help='train the pretext model in every run; by default a run takes '
        'the pretext stage of the first run of its seed that trained the '
        'same one (AdoptPretextHook)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--work-dir', required=True)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='passed to every run, xxx=yyy format')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an expected error (bad input)')
    return parser.parse_args()


def main():
    args = parse_args()
    args.strategies = expand_strategies(args.strategies, args.pretexts)
    if not osp.isfile(args.config):
        raise UserError(f'config file {args.config} does not exist')
    if args.features:
        if not osp.isfile(args.features):
            raise UserError(f'--features {args.features} does not exist')
        args.features = osp.abspath(args.features)  # runs resume from anywhere
    # every strategy's config before any is written: a bad name is one line
    configs = {
        s: run_config(args.config, s, args.features)
        for s in args.strategies
    }
    if args.features and not any(
            uses_pretext_features(c) for c in configs.values()):
        raise UserError('--features: none of the strategies picks from '
                        'pretext features (typiclust, probcover, '
                        'pt4al-*-start)')
    metric = Config.fromfile(args.config).get(
        'al', {}).get('metric') or ALSettings.metric
    here = osp.dirname(osp.abspath(__file__))
    trained = {}  # pretext stage key -> the first run here that has it
    for strategy in args.strategies:
        config = write_config(configs[strategy], args.work_dir, strategy)
        for seed in args.seeds:
            wd = osp.join(args.work_dir, strategy, f'seed_{seed}')
            opts = [*args.cfg_options, f'randomness.seed={seed}']
            stage = pretext_stage_key(merged_config(
                config, opts)) if args.share_pretext else None
            if stage is not None and stage in trained:
                share = adopt_options(trained[stage])
                if share:
                    opts += share
                else:
                    print(f'compare.py: {wd} trains its own pretext stage: '
                          f'--cfg-options would change the path '
                          f'{trained[stage]} (mmengine splits values at '
                          'commas, drops spaces)')
            cmd = [
                sys.executable,
                osp.join(here, 'train_al.py'), config, '--work-dir', wd,
                '--resume', '--cfg-options', *opts
            ]
            print(f'compare.py: {strategy} seed {seed} -> {wd}', flush=True)
            if subprocess.run(cmd).returncode != 0:
                raise UserError(f'the run in {wd} failed (see its logs); run '
                                'the same command again to resume')
            if stage is not None:
                trained.setdefault(stage, osp.abspath(wd))
    rows = collect(args.work_dir, args.strategies, args.seeds, metric)
    write_compare_csv(osp.join(args.work_dir, 'compare.csv'), rows, metric)
    stats = mean_std(rows, metric)
    plot_compare(
        osp.join(args.work_dir, 'compare.png'), stats, metric,
        osp.basename(args.config))
    try:  # a picture never fails the comparison
        for path in draw_embeddings(args.work_dir, args.strategies,
                                    args.seeds):
            print(f'compare.py: {path}')
    except Exception as e:
        print(f'compare.py: no embedding figure: {type(e).__name__}: '
              f'{one_line(e)}')
    table = markdown_table(stats, metric)
    pretext = pretext_table(
        pretext_rows(args.work_dir, args.strategies, args.seeds))
    if pretext:
        table += '\n\n' + pretext
    atomic_write(osp.join(args.work_dir, 'compare.md'), table + '\n')
    print(table)


if __name__ == '__main__':
    run_tool(main, 'compare.py')

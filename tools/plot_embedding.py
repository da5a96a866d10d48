"""Picks against the pool in 2-D, per cycle (PT4AL's t-SNE figure).

    # each cycle's embedding.png of one run (its pretext/features.npz)
    python tools/plot_embedding.py work_dirs/demo

    # runs side by side on one projection, e.g. a compare.py work dir's
    python tools/plot_embedding.py \
        work_dirs/compare_demo/{pt4al,random,lc}/seed_0 \
        --features work_dirs/compare_demo/pt4al/seed_0/pretext/features.npz \
        --cycles 1 --out embedding.png

The pool's pooled features (t-SNE, PCA beyond 5,000 images) in light grey,
the images labelled before the cycle dark grey, the cycle's picks red.
"""
import argparse
import os.path as osp

from pt4al_seg.utils.errors import UserError, run_tool


def main():
    parser = argparse.ArgumentParser(
        description='Picks against the pool in 2-D')
    parser.add_argument('work_dirs', nargs='+', help='run work dirs')
    parser.add_argument(
        '--features',
        help='an .npz of pooled features (ids, features) of the pool '
        '(default: the first run\'s pretext/features.npz)')
    parser.add_argument(
        '--cycles', nargs='+', type=int, help='default: every cycle')
    parser.add_argument(
        '--out',
        help='one figure of every run (a row each); without it and with one '
        'run: cycle_XX/embedding.png in the run')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an expected error (bad input)')
    args = parser.parse_args()
    from pt4al_seg.visualization.embedding import figure, run_embeddings
    for wd in args.work_dirs:
        if not osp.isdir(wd):
            raise UserError(f'work dir {wd} does not exist')
    if args.out is None:
        if len(args.work_dirs) > 1:
            raise UserError('several runs go into one figure: give --out')
        for path in run_embeddings(args.work_dirs[0], args.features,
                                   args.cycles):
            print(path)
        return
    features = args.features or osp.join(args.work_dirs[0], 'pretext',
                                         'features.npz')
    if not osp.isfile(features):
        raise UserError(f'{features} does not exist: give --features')
    names = [
        osp.relpath(wd, osp.commonpath([
            osp.abspath(w) for w in args.work_dirs
        ])) if len(args.work_dirs) > 1 else osp.basename(osp.normpath(wd))
        for wd in args.work_dirs
    ]
    if len(set(names)) < len(names):
        raise UserError('the same work dir twice: give each run once')
    figure(args.out, dict(zip(names, args.work_dirs)), features, args.cycles)
    print(args.out)


if __name__ == '__main__':
    run_tool(main, 'plot_embedding.py')

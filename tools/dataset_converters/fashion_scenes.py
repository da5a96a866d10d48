"""Build the offline data sets from Fashion-MNIST (see
pt4al_seg/experiments/fashion/).

    python tools/dataset_converters/fashion_scenes.py data/fashion_scenes
    python tools/dataset_converters/fashion_scenes.py data/fashion_scenes_lt \
        --imbalance 10
    python tools/dataset_converters/fashion_scenes.py data/fashion_cls \
        --view cls --size 32
    # a Cityscapes-layout stand-in, 2048x1024 (--size is the height)
    python tools/dataset_converters/fashion_scenes.py data/cityscapes_standin \
        --layout cityscapes --size 1024 --num-train 2975 --num-val 500
"""
import argparse
import time

from pt4al_seg.experiments.fashion import build
from pt4al_seg.experiments.fashion.idx import DEFAULT_SOURCE
from pt4al_seg.utils.errors import UserError, run_tool


def parse_args():
    parser = argparse.ArgumentParser(
        description='Build FashionScenes / its classification view')
    parser.add_argument('out', help='folder to create (must not exist)')
    parser.add_argument(
        '--view',
        choices=['scenes', 'cls', 'plain'],
        default='scenes',
        help='segmentation scenes, single-item classification view, or plain '
        'Fashion-MNIST')
    parser.add_argument(
        '--source',
        default=DEFAULT_SOURCE,
        help='folder with the Fashion-MNIST IDX files (.gz or not)')
    parser.add_argument(
        '--size',
        type=int,
        default=128,
        help='canvas side in pixels (cityscapes layout: the height; images '
        'are twice as wide)')
    parser.add_argument(
        '--layout',
        choices=['mmseg', 'cityscapes'],
        default='mmseg',
        help="scenes in img_dir/ann_dir, or in mmseg's Cityscapes layout "
        '(leftImg8bit/gtFine, labelTrainIds, 255 = ignore)')
    parser.add_argument('--num-train', type=int, default=2000)
    parser.add_argument('--num-val', type=int, default=500)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--imbalance',
        type=float,
        default=1.0,
        help='commonest/rarest class frequency in train (10 = long-tailed)')
    parser.add_argument(
        '--workers', type=int, default=0, help='processes (0 = all cores)')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an expected error (bad input)')
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    try:
        meta = build(args.out, args.view, args.source, args.size,
                     args.num_train, args.num_val, args.seed, args.imbalance,
                     args.workers, args.layout)
    except (OSError, ValueError) as e:  # missing IDX files, bad sizes
        raise UserError(str(e)) from e
    print(f'{args.out}: {meta["num_train"]} train + {meta["num_val"]} val '
          f'{args.view} images '
          f'of {meta.get("width", meta["size"])}x'
          f'{meta.get("height", meta["size"])} in {time.time() - start:.1f}s; '
          'train item counts '
          f'{meta["item_counts"]["train"]}')


if __name__ == '__main__':
    run_tool(main, 'fashion_scenes.py')

"""What active learning adds to the cost of a run, measured (the shape of
mmseg's ``tools/analysis_tools/benchmark.py``): scoring throughput against
mmseg's own test loop and a bare ``test_step`` loop on the same images and
weights, the upfront file checks against the pretext scoring pass, the peak
memory of scoring N and 4N images, the speedup of 2 scoring processes over 1,
the driver's own work on synthetic pools of 10k to 1M ids, and Core-Set's
k-center greedy at 10k x 10k features, and TypiClust's and ProbCover's
neighbour searches and k-means on 10k features. Prints tables, writes
``benchmark.json`` in the work dir.

    python tools/benchmark.py configs/pt4al_seg/demo.py
    python tools/benchmark.py CONFIG --num-images 200 --pool-sizes 10000 100000
"""
import argparse
import os
import os.path as osp
import platform

from pt4al_seg.utils.cli import add_common_args, default_work_dir, load_config
from pt4al_seg.utils.errors import UserError, run_tool

PROG = 'benchmark.py'


def parse_args():
    parser = argparse.ArgumentParser(
        description='Measure the cost of the active-learning machinery')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--work-dir',
        help='where to write benchmark.json and the passes\' files '
        '(default: work_dirs/benchmark/<config name>)')
    parser.add_argument(
        '--num-images',
        type=int,
        default=200,
        help='images per scoring pass (the first of the pool; default 200)')
    parser.add_argument(
        '--pool-sizes',
        type=int,
        nargs='+',
        default=[10_000, 100_000, 1_000_000],
        help='synthetic pool sizes for the driver rows')
    parser.add_argument(
        '--no-memory',
        action='store_true',
        help='skip the peak-memory rows (two extra processes)')
    parser.add_argument(
        '--no-processes',
        action='store_true',
        help='skip the 1- vs 2-process scoring rows (three extra processes)')
    parser.add_argument(
        '--kcenter-size',
        type=int,
        nargs=4,
        default=[10_000, 10_000, 512, 2_000],
        metavar=('CANDIDATES', 'LABELLED', 'DIM', 'PICKS'),
        help='the k-center greedy row\'s random features and picks '
        '(default 10000 10000 512 2000; 0 0 0 0 skips it)')
    parser.add_argument(
        '--cover-size',
        type=int,
        nargs=2,
        default=[10_000, 512],
        metavar=('POINTS', 'DIM'),
        help='TypiClust\'s and ProbCover\'s neighbour rows: random '
        'features (default 10000 512; 0 0 skips them)')
    return add_common_args(parser).parse_args()


def table(rows, columns) -> str:
    from prettytable import PrettyTable
    t = PrettyTable(columns)
    for r in rows:
        t.add_row([r[c] for c in columns])
    return t.get_string()


def main():
    args = parse_args()
    import torch

    from pt4al_seg.experiments import benchmark
    if args.num_images < 1:
        raise UserError(f'--num-images must be positive, got '
                        f'{args.num_images}')
    for flag, sizes in (('--kcenter-size', args.kcenter_size),
                        ('--cover-size', args.cover_size)):
        if any(sizes) and min(sizes) < 1:
            raise UserError(f'{flag}: every value positive, or all 0 to '
                            f'skip the rows; got {" ".join(map(str, sizes))}')
    if 0 < args.cover_size[0] < 50:
        raise UserError(f'--cover-size: k-means takes 50 clusters, so at '
                        f'least 50 points; got {args.cover_size[0]}')
    cfg = load_config(args, PROG)
    work_dir = args.work_dir or default_work_dir(args.config, 'benchmark')
    os.makedirs(work_dir, exist_ok=True)
    cfg.work_dir = work_dir
    machine = dict(
        cpu=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        gpu=torch.cuda.get_device_name(0)
        if torch.cuda.is_available() else None)
    out = dict(config=args.config, machine=machine)
    out['scoring'] = benchmark.scoring_rows(cfg, work_dir, args.num_images)
    print(
        table(out['scoring'],
              ['loop', 'images', 'seconds', 'images_per_s', 'vs_bare']))
    checks = out['scoring'][-1]
    if 'vs_pretext_pass' in checks:
        print(f'upfront file checks: {checks["vs_pretext_pass"]:.2f}x the '
              'time of the pretext scoring pass over the same images')
    if not args.no_processes:
        out['processes'] = benchmark.process_rows(cfg, work_dir,
                                                  args.num_images)
        print(
            table(
                out['processes'],
                ['processes', 'images', 'seconds', 'images_per_s', 'speedup']))
    if not args.no_memory:
        out['memory'] = benchmark.memory_rows(cfg, work_dir, args.num_images)
        print(table(out['memory'], ['images', 'peak_rss_mib', 'cuda_mib']))
    out['driver'] = benchmark.driver_rows(args.pool_sizes, work_dir)
    print(table(out['driver'], ['step', 'pool', 'seconds', 'growth_per_10x']))
    largest = max(args.pool_sizes)
    total = sum(r['seconds'] for r in out['driver'] if r['pool'] == largest)
    print(f'driver: {total:.2f} s for a pool of {largest} ids '
          f'({machine["cpu_count"]} CPUs)')
    if any(args.kcenter_size):
        out['kcenter'] = benchmark.kcenter_row(*args.kcenter_size)
        k = out['kcenter']
        print(f'k-center greedy: {k["seconds"]:.2f} s for {k["picks"]} picks '
              f'from {k["candidates"]} candidates, {k["labelled"]} labelled, '
              f'{k["dim"]}-d, on {k["device"]}')
    if any(args.cover_size):
        out['cover'] = benchmark.cover_rows(*args.cover_size)
        print(table(out['cover'], ['step', 'points', 'dim', 'seconds']))
    from pt4al_seg.utils import write_json
    write_json(osp.join(work_dir, 'benchmark.json'), out)
    print(f'{PROG}: {osp.join(work_dir, "benchmark.json")}')


if __name__ == '__main__':
    run_tool(main, PROG)

"""Run an active-learning experiment (PT4AL by default) from one config.

    python tools/train_al.py configs/pt4al_seg/demo.py
    python tools/train_al.py CONFIG --work-dir work_dirs/x --resume
    torchrun --nproc_per_node=4 tools/train_al.py CONFIG --launcher pytorch
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction


def parse_args():
    parser = argparse.ArgumentParser(description='Train PT4AL active-learning cycles')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='the dir to save outputs (default: '
                        'work_dirs/<config name>)')
    parser.add_argument('--resume', action='store_true',
                        help='continue the run in the work dir from its last finished phase')
    parser.add_argument('--amp', action='store_true', default=False,
                        help='mixed precision training (GPU only)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings, xxx=yyy format, e.g. data_root=/data/cs '
                        'al.budget=50')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    import torch
    from pt4al_seg.engine import ActiveLearningLoop, ALConfigError
    from pt4al_seg.utils.config import propagate_data_root

    if not osp.isfile(args.config):
        sys.exit(f'train_al.py: error: config file {args.config} does not exist')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    propagate_data_root(cfg)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or \
        osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        if not torch.cuda.is_available():
            sys.exit('train_al.py: error: --amp needs a CUDA GPU (AmpOptimWrapper), none is '
                     'visible')
        for wrapper in (cfg.optim_wrapper, cfg.get('pretext', {}).get('optim_wrapper')):
            if wrapper is not None:
                wrapper.type = 'AmpOptimWrapper'
                wrapper.loss_scale = 'dynamic'
    try:
        ActiveLearningLoop(cfg, resume=args.resume).run()
    except (ALConfigError, FileExistsError, FileNotFoundError) as e:
        sys.exit(f'train_al.py: error: {e}')


if __name__ == '__main__':
    main()

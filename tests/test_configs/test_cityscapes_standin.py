"""The Cityscapes-layout stand-in (``fashion_scenes.py --layout
cityscapes``) and the shipped Cityscapes configs run end to end on it: both
pretexts, two tiny cycles through the AL runner, on CPU, with only sizes,
iterations and batch sizes changed on the command line."""
import csv
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from ..conftest import check_contract, run_al, run_in_process
from .test_configs import CITYSCAPES

H, W = 32, 64  # the stand-in's images: --size 32 is the height


@pytest.fixture(scope='module')
def standin(idx_source, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('standin') / 'cityscapes')
    proc = run_in_process([
        'tools/dataset_converters/fashion_scenes.py', out, '--layout',
        'cityscapes', '--source', idx_source, '--size',
        str(H), '--num-train', '8', '--num-val', '4', '--workers', '1'
    ])
    assert proc.returncode == 0, proc.stderr
    assert f'8 train + 4 val scenes images of {W}x{H}' in proc.stdout
    return out


def test_standin_layout_and_labels(standin):
    meta = json.load(open(osp.join(standin, 'meta.json')))
    assert (meta['layout'], meta['width'], meta['height']) == ('cityscapes', W,
                                                               H)
    for split, n, cities in (('train', 8, ('aachen', 'bochum', 'bremen')),
                             ('val', 4, ('frankfurt', 'lindau', 'munster'))):
        imgs = sorted(
            osp.join(c, f)
            for c in os.listdir(osp.join(standin, 'leftImg8bit', split))
            for f in os.listdir(osp.join(standin, 'leftImg8bit', split, c)))
        assert len(imgs) == n
        # images go to the split's cities in turn
        assert imgs[0] == f'{cities[0]}/{cities[0]}_000000_000019' \
                          '_leftImg8bit.png'
        for rel in imgs:
            img = cv2.imread(osp.join(standin, 'leftImg8bit', split, rel))
            lab = cv2.imread(
                osp.join(standin, 'gtFine', split,
                         rel.replace('_leftImg8bit', '_gtFine_labelTrainIds')),
                cv2.IMREAD_UNCHANGED)
            assert img.shape == (H, W, 3) and lab.shape == (H, W)
            assert lab.dtype == np.uint8
            # Cityscapes train ids: background 0, items 1-10, 255 ignored on
            # the bottom band (H // 16 rows), nowhere else
            assert (lab[-(H // 16):] == 255).all()
            body = lab[:-(H // 16)]
            assert set(np.unique(body).tolist()) <= set(range(11))
            assert (body > 0).any() and (body == 0).any()


@pytest.mark.parametrize('argv, message',
                         [(['--size', '2048'], 'at most 2048x1024'),
                          (['--view', 'cls'], "view 'cls'")])
def test_standin_refuses_bad_sizes(idx_source, tmp_path, argv, message):
    out = str(tmp_path / 'x')
    proc = run_in_process([
        'tools/dataset_converters/fashion_scenes.py', out, '--layout',
        'cityscapes', '--source', idx_source, *argv
    ])
    assert proc.returncode != 0 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not osp.exists(out) and os.listdir(tmp_path) == []


def tiny_cityscapes_options(data_root):
    """The shipped config at stand-in size: 32x64 crops and scales instead of
    512x1024 / 2048x1024, two iterations, two cycles of two images."""
    size, scale = f'({H},{W})', f'({W},{H})'  # crops are (h, w), scales (w, h)
    opts = [
        f'data_root={data_root}', f'model.data_preprocessor.size={size}',
        f'train_dataloader.dataset.pipeline.2.scale={scale}',
        f'train_dataloader.dataset.pipeline.3.crop_size={size}',
        f'test_dataloader.dataset.pipeline.1.scale={scale}',
        f'val_dataloader.dataset.pipeline.1.scale={scale}',
        f'score_pipeline.1.scale={scale}',
        f'pretext.train_pipeline.1.scale={scale}',
        f'pretext.train_pipeline.2.crop_size={size}',
        f'pretext.score_pipeline.1.scale={scale}', 'pretext.batch_size=4',
        'pretext.train_cfg.max_iters=2', 'train_cfg.max_iters=2',
        'train_dataloader.batch_size=2'
    ]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [
            f'{loader}.num_workers=0', f'{loader}.persistent_workers=False'
        ]
    return opts + [
        'al.num_cycles=2', 'al.budget=2', 'default_hooks.checkpoint.interval=2'
    ]


@pytest.mark.parametrize('config', CITYSCAPES, ids=osp.basename)
def test_cityscapes_config_runs_on_standin(config, standin, tmp_path):
    wd = tmp_path / 'run'
    run_al(
        wd,
        standin,
        config=osp.relpath(config),
        options=['--cfg-options', *tiny_cityscapes_options(standin)])
    check_contract(wd)
    rows = list(csv.DictReader(open(wd / 'summary.csv')))
    assert [int(r['cycle']) for r in rows] == [0, 1]
    assert [int(r['num_labelled']) for r in rows] == [2, 4]
    for r in rows:
        assert 0 <= float(r['mIoU']) <= 100
    # the paper's model and data as configured: 19 classes, 8 pool images
    pool = open(wd / 'pretext' / 'losses.csv').read().splitlines()
    assert len(pool) == 1 + 8 and pool[1].split('/')[0] in ('aachen', 'bochum',
                                                            'bremen')
    with open(wd / 'cycle_01' / 'config.py') as f:
        text = f.read()
    assert 'num_classes=19' in text and "type='CityscapesDataset'" in text


def test_syncbn_becomes_bn_on_one_process(standin, tmp_path):
    """The Cityscapes configs use SyncBN (mmseg's DeepLabV3 base); on one
    process every phase's model runs with BatchNorm instead (mmengine reverts
    it when it wraps the model), the pretext model as well as the task
    model."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from pt4al_seg.engine import ALSettings, load_pool
    from pt4al_seg.engine.phase_configs import cycle_config, pretext_config
    from pt4al_seg.engine.phases import build_phase_runner
    from pt4al_seg.utils import write_ids
    from ..conftest import point_to
    cfg = Config.fromfile(CITYSCAPES[0])
    point_to(cfg, standin)
    cfg.al = ALSettings.from_config(cfg).to_dict()
    init_default_scope('mmseg')
    pool = load_pool(cfg)
    ids_file = str(tmp_path / 'ids.txt')
    write_ids(ids_file, pool.ids)

    def norms(model):
        return {type(m).__name__
                for m in model.modules()
                } & {'SyncBatchNorm', 'BatchNorm2d', '_BatchNormXd'}

    assert 'SyncBatchNorm' in norms(MODELS.build(cfg.model))
    for c in (cycle_config(cfg, str(tmp_path / 'cycle_00'), ids_file, None,
                           False),
              pretext_config(cfg, pool, str(tmp_path / 'pretext'), ids_file,
                             True)):
        model = build_phase_runner(c).model
        assert 'SyncBatchNorm' not in norms(model) and norms(model)
        assert not any(
            isinstance(m, torch.nn.SyncBatchNorm) for m in model.modules())

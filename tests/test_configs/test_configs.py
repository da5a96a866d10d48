"""Every shipped config loads; the Cityscapes configs build their model,
pretext model and data pipelines on a tiny fake Cityscapes tree in mmseg's
layout."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import DATASETS, MODELS
from mmseg.structures import SegDataSample

from pt4al_seg.engine import ALSettings, check_config, load_pool
from pt4al_seg.engine.phase_configs import pretext_config, score_config
from ..conftest import REPO, point_to

CONFIGS = sorted(
    p for p in glob.glob(f'{REPO}/configs/**/*.py', recursive=True)
    if '/_base_/' not in p)
CITYSCAPES = [c for c in CONFIGS if 'cityscapes' in osp.basename(c)]


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_loads(path):
    cfg = Config.fromfile(path)
    assert cfg.custom_imports.imports == ['pt4al_seg']
    assert cfg.model.get(
        'pretrained') is None  # nothing downloaded at run time
    if 'al' in cfg:
        ALSettings.from_config(cfg)
        check_config(cfg)
        assert cfg.runner_type == 'ActiveLearningRunner'


@pytest.fixture(scope='module')
def fake_cityscapes(tmp_path_factory):
    root = tmp_path_factory.mktemp('cityscapes')
    rng = np.random.default_rng(0)
    for split, n in (('train', 4), ('val', 2)):
        for i in range(n):
            stem = f'aachen_{i:06d}_000019'
            img_dir = root / 'leftImg8bit' / split / 'aachen'
            ann_dir = root / 'gtFine' / split / 'aachen'
            img_dir.mkdir(parents=True, exist_ok=True)
            ann_dir.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(
                str(img_dir / f'{stem}_leftImg8bit.png'),
                rng.integers(0, 255, (64, 128, 3), dtype=np.uint8))
            label = rng.integers(0, 19, (64, 128), dtype=np.uint8)
            label[:4] = 255
            cv2.imwrite(
                str(ann_dir / f'{stem}_gtFine_labelTrainIds.png'), label)
    return str(root)


@pytest.mark.parametrize('path', CITYSCAPES, ids=osp.basename)
def test_cityscapes_config_builds(path, fake_cityscapes, tmp_path):
    assert len(CITYSCAPES) == 2
    cfg = Config.fromfile(path)
    point_to(cfg, fake_cityscapes)
    assert cfg.al.num_cycles == 10 and cfg.al.budget == 59
    init_default_scope('mmseg')
    cfg.al = ALSettings.from_config(cfg).to_dict()
    pool = load_pool(cfg)
    ids = pool.ids
    assert ids == [f'aachen/aachen_{i:06d}_000019' for i in range(4)]
    # the task model and one training sample
    model = MODELS.build(cfg.model)
    assert model.decode_head.num_classes == 19
    sample = DATASETS.build(cfg.train_dataloader.dataset)[0]
    assert tuple(sample['inputs'].shape) == (3, 512, 1024)
    assert 'gt_sem_seg' in sample['data_samples']
    # pretext stage: model, training and scoring pipelines, over the pool list
    pool_file = tmp_path / 'pool.txt'
    pool_file.write_text(''.join(f'{i}\n' for i in ids))
    pc = pretext_config(
        cfg, pool, str(tmp_path / 'pretext'), str(pool_file), train=True)
    pretext = MODELS.build(pc['model']).eval()
    train_ds = DATASETS.build(pc['train_dataloader']['dataset'])
    score_ds = DATASETS.build(pc['test_dataloader']['dataset'])
    assert len(train_ds) == 4 and len(score_ds) == 4
    assert train_ds[0]['inputs'].shape[1:] == (512, 1024)
    item = score_ds[0]
    assert item['inputs'].shape[1:] == (512, 1024)
    with torch.no_grad():
        data = pretext.data_preprocessor(
            dict(inputs=[item['inputs']], data_samples=[item['data_samples']]))
        small = F.interpolate(
            data['inputs'], size=(64, 128))  # CPU-sized forward
        sample = SegDataSample(metainfo=dict(img_shape=(64, 128)))
        if 'gt_ab' in item['data_samples']:
            sample.gt_ab = PixelData(
                data=F.interpolate(
                    item['data_samples'].gt_ab.data[None], size=(64, 128))[0])
        out = pretext(small, [sample], mode='predict')
    assert torch.isfinite(out[0].pretext_loss)
    # scoring never loads label maps
    sc = score_config(cfg, pool, str(tmp_path / 'cycle'), str(pool_file),
                      'unused.pth',
                      dict(type='StrategyOutputsMetric', query=cfg.al.query))
    scored = DATASETS.build(sc['test_dataloader']['dataset'])[0]
    assert 'gt_sem_seg' not in scored['data_samples']

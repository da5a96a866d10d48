import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from pt4al_seg.experiments.fashion import build
from pt4al_seg.experiments.fashion.idx import load_fashion_mnist, read_idx
from pt4al_seg.experiments.fashion.synth import class_probs


def _files(root):
    return sorted(
        osp.relpath(osp.join(d, f), root) for d, _, fs in os.walk(root)
        for f in fs)


def test_read_idx_roundtrip_and_truncation(idx_source, tmp_path):
    images, labels = load_fashion_mnist(idx_source, 'train')
    assert images.shape == (60, 28, 28) and images.dtype == np.uint8
    assert sorted(set(labels.tolist())) == list(range(10))
    bad = tmp_path / 'bad-idx'
    bad.write_bytes(b'\x00\x00\x08\x01\x00\x00\x00\x10abc')
    with pytest.raises(ValueError, match='truncated'):
        read_idx(str(bad))
    with pytest.raises(FileNotFoundError, match='dataset-fashion-mnist'):
        load_fashion_mnist(str(tmp_path), 'train')


def test_scenes_layout_and_labels(tiny_scenes):
    meta = json.load(open(osp.join(tiny_scenes, 'meta.json')))
    assert meta['size'] == 32 and 'not human annotation' in meta['labels']
    for split, n in (('train', 60), ('val', 12)):
        imgs = sorted(os.listdir(osp.join(tiny_scenes, 'img_dir', split)))
        anns = sorted(os.listdir(osp.join(tiny_scenes, 'ann_dir', split)))
        assert imgs == anns and len(imgs) == n
    values = set()
    for name in os.listdir(osp.join(tiny_scenes, 'ann_dir', 'train')):
        lab = cv2.imread(
            osp.join(tiny_scenes, 'ann_dir', 'train', name),
            cv2.IMREAD_UNCHANGED)
        img = cv2.imread(osp.join(tiny_scenes, 'img_dir', 'train', name))
        assert lab.shape == (32, 32) and img.shape == (32, 32, 3)
        values |= set(np.unique(lab).tolist())
    assert values <= set(range(11)) and 0 in values and len(values) > 5


def test_scenes_deterministic(idx_source, tmp_path):
    a, b, c = (str(tmp_path / n) for n in 'abc')
    build(
        a,
        'scenes',
        idx_source,
        size=24,
        num_train=8,
        num_val=2,
        seed=3,
        workers=1)
    build(
        b,
        'scenes',
        idx_source,
        size=24,
        num_train=8,
        num_val=2,
        seed=3,
        workers=2)
    build(
        c,
        'scenes',
        idx_source,
        size=24,
        num_train=8,
        num_val=2,
        seed=4,
        workers=1)
    files = [f for f in _files(a) if f.endswith('.png')]
    assert files == [f for f in _files(b) if f.endswith('.png')]
    same = [
        open(osp.join(a, f), 'rb').read() == open(osp.join(b, f), 'rb').read()
        for f in files
    ]
    assert all(same)
    other = [
        open(osp.join(a, f), 'rb').read() == open(osp.join(c, f), 'rb').read()
        for f in files
    ]
    assert not all(other)


def test_refuses_existing_and_bad_values(idx_source, tmp_path):
    with pytest.raises(FileExistsError):
        build(
            str(tmp_path),
            'scenes',
            idx_source,
            size=16,
            num_train=2,
            num_val=1)
    with pytest.raises(ValueError):
        build(str(tmp_path / 'x'), 'scenes', idx_source, size=0)
    assert not osp.exists(tmp_path / 'x')


def test_long_tail_counts(idx_source, tmp_path):
    probs = class_probs(10, 10.0)
    assert probs[0] / probs[-1] == pytest.approx(10.0)
    assert np.all(np.diff(probs) < 0)
    meta = build(
        str(tmp_path / 'lt'),
        'scenes',
        idx_source,
        size=16,
        num_train=400,
        num_val=40,
        seed=0,
        imbalance=10.0,
        workers=1)
    train = np.array(meta['item_counts']['train'])
    assert train[0] > 5 * train[9]  # ~10x in expectation
    val = np.array(meta['item_counts']['val'])
    assert val.max() < 4 * max(val.min(), 1)  # val stays balanced


def test_classification_views(idx_source, tmp_path):
    build(
        str(tmp_path / 'cls'),
        'cls',
        idx_source,
        size=32,
        num_train=20,
        num_val=5,
        workers=1)
    lines = open(tmp_path / 'cls' / 'meta' /
                 'train.txt').read().split('\n')[:-1]
    assert len(lines) == 20
    name, cls = lines[0].split()
    img = cv2.imread(str(tmp_path / 'cls' / 'train' / name))
    assert img.shape == (32, 32, 3) and 0 <= int(cls) < 10
    build(
        str(tmp_path / 'plain'),
        'plain',
        idx_source,
        num_train=10,
        num_val=5,
        workers=1)
    img = cv2.imread(
        str(tmp_path / 'plain' / 'val' / '00000.png'), cv2.IMREAD_UNCHANGED)
    assert img.shape == (28, 28)


def test_mmseg_dataset_loads(tiny_scenes):
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS
    init_default_scope('mmseg')
    ds = DATASETS.build(
        dict(
            type='FashionScenesDataset',
            data_root=tiny_scenes,
            data_prefix=dict(
                img_path='img_dir/val', seg_map_path='ann_dir/val'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations'),
                dict(type='PackSegInputs')
            ]))
    assert len(ds) == 12 and len(ds.metainfo['classes']) == 11
    sample = ds[0]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert sample['data_samples'].gt_sem_seg.data.max() <= 10

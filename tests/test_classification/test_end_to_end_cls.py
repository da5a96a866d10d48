"""A real 2-cycle PT4AL classification run through tools/train_al.py on tiny
data."""
import csv
import glob
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest

from pt4al_seg.strategies import every_nth
from pt4al_seg.utils import read_ids, read_scores
from ..conftest import REPO, check_contract


@pytest.fixture(scope='module')
def tiny_cls(idx_source, tmp_path_factory):
    from pt4al_seg.experiments.fashion import build
    out = str(tmp_path_factory.mktemp('data') / 'cls')
    build(out, 'cls', idx_source, size=32, num_train=40, num_val=20, workers=1)
    return out


def test_two_cycle_classification_run(tiny_cls, tmp_path):
    wd = str(tmp_path / 'demo_cls')
    cmd = [
        sys.executable, 'tools/train_al.py', 'configs/pt4al_cls/demo.py',
        '--work-dir', wd, '--cfg-options', f'data_root={tiny_cls}',
        'train_cfg.max_epochs=2', 'pretext.train_cfg.max_epochs=1',
        'train_dataloader.batch_size=8', 'pretext.batch_size=8',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'al.num_cycles=2',
        'al.budget=4'
    ]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pool = read_ids(osp.join(wd, 'pool.txt'))
    assert len(pool) == 40
    losses = read_scores(osp.join(wd, 'pretext', 'losses.csv'), 'loss')
    assert set(losses) == set(pool)
    b0 = read_ids(osp.join(wd, 'pretext', 'batches', 'batch_00.txt'))
    b1 = read_ids(osp.join(wd, 'pretext', 'batches', 'batch_01.txt'))
    assert [losses[i] for i in b0 + b1] == sorted(
        losses.values(), reverse=True)
    assert read_ids(osp.join(wd, 'cycle_00',
                             'selected.txt')) == every_nth(b0, 4)
    scores = read_scores(osp.join(wd, 'cycle_01', 'scores.csv'), 'score')
    assert set(scores) == set(b1)
    sel1 = read_ids(osp.join(wd, 'cycle_01', 'selected.txt'))
    assert min(scores[i] for i in sel1) >= max(v for i, v in scores.items()
                                               if i not in sel1)
    rows = list(csv.DictReader(open(osp.join(wd, 'summary.csv'))))
    assert [int(r['num_labelled']) for r in rows] == [4, 8]
    for c, row in enumerate(rows):
        assert float(row['accuracy']) == pytest.approx(
            accuracy_by_hand(osp.join(wd, f'cycle_{c:02d}')))
    check_contract(wd, '--metric', 'accuracy')
    # the embedding plots' classes: each image's label in meta/train.txt
    labels = dict(line.split()
                  for line in open(osp.join(tiny_cls, 'meta', 'train.txt')))
    classes = read_scores(osp.join(wd, 'pretext', 'classes.csv'), 'class')
    assert classes == {i: float(labels[f'{i}.png']) for i in pool}
    assert osp.isfile(osp.join(wd, 'cycle_01', 'embedding.png'))


def accuracy_by_hand(cycle_dir):
    """Top-1 accuracy (%) of a cycle's model on its test split, each image's
    prediction compared here with the label its dataset gives."""
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import DATASETS, MODELS
    init_default_scope('mmseg')
    cfg = Config.fromfile(osp.join(cycle_dir, 'config.py'))
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(
        model, osp.join(cycle_dir, 'model.pth'), map_location='cpu')
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    right = 0
    with torch.no_grad():
        for k in range(len(dataset)):
            out = model.test_step(pseudo_collate([dataset[k]]))[0]
            logits = out.seg_logits.data  # the same at every pixel
            assert torch.allclose(
                logits, logits[:, :1, :1].expand_as(logits), atol=1e-5)
            right += int(logits[:, 0, 0].argmax()) == int(
                dataset.get_data_info(k)['gt_label'])
    return 100.0 * right / len(dataset)


def test_pt4al_bald_classification_and_no_dropout_refused(tiny_cls, tmp_path):
    """PT4AL with BALD as its in-batch query on the classifier (the
    strategy's dropout on its pooled features); without dropout the run
    stops in its preflight, before any training, in one line."""
    from ..conftest import run_in_process
    base = [
        'tools/train_al.py', 'configs/pt4al_cls/demo.py', '--cfg-options',
        f'data_root={tiny_cls}', 'train_cfg.max_epochs=1',
        'pretext.train_cfg.max_epochs=1', 'train_dataloader.batch_size=8',
        'pretext.batch_size=8', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'al.num_cycles=2',
        'al.budget=4', 'al.query.mc_samples=3'
    ]
    refused = str(tmp_path / 'refused')
    proc = run_in_process(base[:2] + ['--work-dir', refused] + base[2:] +
                          ['al.query.type=BALD'])
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        'train_al.py: error: preflight of scoring failed: '
        'Monte-Carlo dropout needs dropout in the model: set '
        'model.decode_head.dropout_ratio > 0'
    ]
    assert not osp.exists(osp.join(refused, 'al_state.json'))
    wd = str(tmp_path / 'bald')
    run_ok(base[:2] + ['--work-dir', wd, '--strategy', 'pt4al-bald'] +
           base[2:])
    b1 = read_ids(osp.join(wd, 'pretext', 'batches', 'batch_01.txt'))
    scores = read_scores(osp.join(wd, 'cycle_01', 'scores.csv'), 'score')
    assert set(scores) == set(b1)
    assert all(0 <= v <= 2.31 for v in scores.values())  # log 10 = 2.303
    sel1 = read_ids(osp.join(wd, 'cycle_01', 'selected.txt'))
    assert sel1 == sorted(scores, key=lambda i: (-scores[i], i))[:4]
    check_contract(wd, '--metric', 'accuracy')


@pytest.mark.parametrize('strategy, options, kept', [
    ('qbc-kl', [],
     ['committee/member_1/model.pth', 'committee/member_2/model.pth']),
    ('tod', ['al.query.interval=1'], ['snapshot_1.pth']),
    ('mcdal', [], ['unlabelled.txt']),
    ('vaal', ['model.vaal.channels=(8,16,32,64)', 'model.vaal.image_size=32'
              ], ['unlabelled.txt']),
])
def test_committee_queries_on_the_classifier(tiny_cls, tmp_path, strategy,
                                             options, kept):
    """A seeded committee, TOD, MCDAL and VAAL on the epoch-based classifier,
    as their strategy configs (the same as for segmentation): cycle 0 keeps
    what the query compares its model with (or trains with), the scores
    spread, the highest are picked."""
    wd = str(tmp_path / 'run')
    run_ok(pool_cls_argv(wd, tiny_cls, strategy) + options)
    for path in kept:
        assert osp.isfile(osp.join(wd, 'cycle_00', path)), path
    if 'unlabelled.txt' in kept:  # MCDAL, VAAL: trained on unlabelled images
        logs = glob.glob(osp.join(wd, 'cycle_00', '2*', '2*.log'))
        mark = 'vaal_dsc: ' if strategy == 'vaal' else 'loss_mcdal_disc: -'
        assert any(mark in open(p).read() for p in logs)
    scores = read_scores(osp.join(wd, 'cycle_01', 'scores.csv'), 'score')
    assert len(scores) == 36 and len(set(scores.values())) > 1
    sel1 = read_ids(osp.join(wd, 'cycle_01', 'selected.txt'))
    assert sel1 == sorted(scores, key=lambda i: (-scores[i], i))[:4]
    check_contract(wd, '--pool', '--metric', 'accuracy')


@pytest.mark.parametrize(
    'picker', ['TypiClust', 'ProbCover', 'BADGE', 'BASE', 'CoreGCN'])
def test_cover_pickers_on_the_classifier(tiny_cls, tmp_path, picker):
    """The pickers over the classifier's pooled features (ProbCover with
    δ = 0.4, about the lower quartile of their distances here: the purity
    rule's δ leaves this tiny model's balls nearly all single points, whose
    integer scores the contract rejects as ties), and BADGE over its linear
    head's gradient embeddings (10 classes x 128 features), first picking
    the longest, and BASE over its distances to the 10 classes' boundaries
    (4 picks: classes 0-3 take the nearest to theirs in turn), and CoreGCN
    on a GCN over the classifier's pooled features."""
    wd = str(tmp_path / 'run')
    delta = ['al.picker.delta=0.4'] if picker == 'ProbCover' else []
    run_ok(
        pool_cls_argv(
            wd, tiny_cls, f'{picker.lower()}-task' if picker in
            ('TypiClust', 'ProbCover') else picker.lower()) + delta)
    sel0 = read_ids(osp.join(wd, 'cycle_00', 'selected.txt'))
    sel1 = read_ids(osp.join(wd, 'cycle_01', 'selected.txt'))
    assert len(set(sel1)) == 4 and not set(sel1) & set(sel0)
    if picker == 'BADGE':
        data = np.load(osp.join(wd, 'cycle_01', 'features.npz'))
        emb = data['gradient_embeddings']
        assert emb.shape == (36, 1280) and 'features' not in data
        ids = [str(i) for i in data['ids']]
        assert set(ids) == set(read_ids(osp.join(wd, 'pool.txt'))) - set(sel0)
        assert sel1[0] == ids[int(np.linalg.norm(emb, axis=1).argmax())]
    if picker == 'BASE':
        data = np.load(osp.join(wd, 'cycle_01', 'features.npz'))
        dist, ids = data['boundary_distances'], [str(i) for i in data['ids']]
        assert dist.shape == (36, 10) and (dist >= 0).all()
        expected = []
        for c in range(4):
            left = [k for k in range(36) if ids[k] not in expected]
            expected.append(ids[min(left, key=lambda k: (dist[k, c], k))])
        assert sel1 == expected
    check_contract(wd, '--pool', '--no-topk', '--metric', 'accuracy')


def run_ok(argv):
    """``python *argv`` from the repository, which must succeed."""
    proc = subprocess.run(
        [sys.executable] + argv,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def pool_cls_argv(wd, data_root, strategy='lc'):
    """A 2-cycle run of ``strategy`` (a pool strategy: LC) on the
    classification demo, 2 epochs."""
    return [
        'tools/train_al.py', 'configs/pt4al_cls/demo.py', '--work-dir', wd,
        '--strategy', strategy, '--cfg-options', f'data_root={data_root}',
        'train_cfg.max_epochs=2', 'train_dataloader.batch_size=8',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'al.num_cycles=2',
        'al.budget=4'
    ]


def test_snapshots_beyond_an_epoch_schedule_are_refused(tiny_cls, tmp_path):
    """Cycle 0 trains 2 epochs of 4 images in batches of 8: 2 iterations, too
    few for a snapshot 2 iterations before the end; refused in one line before
    anything is written."""
    from ..conftest import run_in_process
    wd = str(tmp_path / 'refused')
    proc = run_in_process(
        pool_cls_argv(wd, tiny_cls, 'tod') + ['al.query.interval=2'])
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        'train_al.py: error: 1 snapshots 2 iterations apart need more than '
        'the 2 iterations of cycle 0 (train_cfg.max_epochs=2 of 4 images in '
        "batches of 8): lower the query's interval or its members"
    ]
    assert not osp.exists(wd)


def test_pretext_features_on_the_classifier(tiny_cls, tmp_path):
    """The rotation pretext's features of the unrotated images
    (pretext/features.npz, 128-d) serve a TypiClust cold start and Core-Set
    in cycle 1, with no scoring pass in either cycle; the same model's
    checkpoint as al.features gives the same features and cold start."""
    from pt4al_seg.strategies import Candidates
    from pt4al_seg.strategies.pickers import TypiClust
    from pt4al_seg.utils import read_features
    wd = str(tmp_path / 'run')
    run_ok(
        pool_cls_argv(wd, tiny_cls, 'typiclust') + [
            'pretext.train_cfg.max_epochs=1', 'pretext.batch_size=8',
            'al.picker.type=KCenterGreedy'
        ])
    pool = read_ids(osp.join(wd, 'pool.txt'))
    feats = osp.join(wd, 'pretext', 'features.npz')
    assert read_features(feats, pool).shape == (40, 128)
    sel0 = read_ids(osp.join(wd, 'cycle_00', 'selected.txt'))
    assert sel0 == TypiClust()(Candidates(
        ids=pool, features=read_features(feats, pool)), 4)[0]
    assert not glob.glob(osp.join(wd, 'cycle_0*', 'candidates.txt'))
    sel1 = read_ids(osp.join(wd, 'cycle_01', 'selected.txt'))
    assert len(set(sel1)) == 4 and not set(sel1) & set(sel0)
    check_contract(wd, '--pool', '--no-topk', '--metric', 'accuracy')
    # the pretext model's checkpoint as a self-supervised checkpoint
    # (al.features=PATH): the classifier's backbone under its weights gives
    # the same features of the same images, in a run with no pretext stage
    ssl = str(tmp_path / 'rotation.pth')
    shutil.copy(osp.join(wd, 'pretext', 'model.pth'), ssl)
    wd2 = str(tmp_path / 'checkpoint')
    run_ok(
        pool_cls_argv(wd2, tiny_cls) + [
            f'al.features={ssl}', 'al.cold_start.picker.type=TypiClust',
            'al.picker.type=KCenterGreedy'
        ])
    assert not osp.exists(osp.join(wd2, 'pretext'))
    assert read_features(osp.join(wd2, 'features', 'features.npz'),
                         pool) == pytest.approx(
                             read_features(feats, pool), rel=1e-4, abs=1e-5)
    assert read_ids(osp.join(wd2, 'cycle_00', 'selected.txt')) == sel0
    check_contract(wd2, '--pool', '--no-topk', '--metric', 'accuracy')

import itertools
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from pt4al_seg.models.pretexts.jigsaw import (assemble_tiles, cut_tiles,
                                              hamming_permutations)
from .test_pretext import BACKBONE


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')
    torch.manual_seed(0)


def jigsaw(**kwargs):
    cfg = dict(
        type='JigsawPretext',
        backbone=BACKBONE,
        num_permutations=10,
        cell=12,
        jitter=2,
        score_perms=3,
        hidden=16)
    return MODELS.build(dict(cfg, **kwargs))


def min_pairwise_hamming(perms):
    return min(
        int((a != b).sum()) for a, b in itertools.combinations(perms, 2))


def test_permutation_set_is_seeded_distinct_and_far_apart():
    perms = hamming_permutations(100, seed=0)
    assert perms.shape == (100, 9)
    assert all(sorted(p) == list(range(9)) for p in perms.tolist())
    assert len({tuple(p) for p in perms.tolist()}) == 100
    # greedy max-min over the 9! permutations: 100 of them stay >= 6 apart
    # (seeds 0-3 all reach 6), where 100 random ones come within 3
    assert min_pairwise_hamming(perms) == 6
    rng = np.random.default_rng(0)
    random = np.array([rng.permutation(9) for _ in range(100)])
    assert min_pairwise_hamming(random) < 6
    assert np.array_equal(perms, hamming_permutations(100, seed=0))
    assert not np.array_equal(perms, hamming_permutations(100, seed=1))
    # 2x2: all 24 permutations, each one visited once
    assert len({tuple(p) for p in hamming_permutations(24, 2).tolist()}) == 24
    with pytest.raises(ValueError, match='num_permutations'):
        hamming_permutations(25, 2)
    with pytest.raises(ValueError, match='grid'):
        hamming_permutations(10, 4)


def test_tiles_reassemble_the_image_under_the_inverse_permutation():
    images = torch.randn(2, 3, 12, 12)
    perm = torch.tensor(hamming_permutations(5, seed=3)[4])
    tiles = cut_tiles(images, 3, 4, torch.zeros(2, 9, 2, dtype=torch.long))
    assert tiles.shape == (2, 9, 3, 4, 4)
    assert torch.equal(tiles[1, 5], images[1, :, 4:8, 8:12])  # row 1, col 2
    shuffled = tiles[:, perm]
    inverse = torch.argsort(perm)
    assert torch.equal(assemble_tiles(shuffled[:, inverse], 3), images)
    assert not torch.equal(assemble_tiles(shuffled, 3), images)
    # a tile smaller than its cell, at the offset asked for
    offsets = torch.zeros(2, 9, 2, dtype=torch.long)
    offsets[0, 4] = torch.tensor([1, 0])
    small = cut_tiles(images, 3, 3, offsets)
    assert torch.equal(small[0, 4], images[0, :, 5:8, 4:7])


def test_score_is_the_mean_ce_over_the_fixed_permutations():
    model = jigsaw().eval()
    x = torch.randn(3, 3, 30, 30)
    with torch.no_grad():
        losses = model.image_losses(x)
        again = model.image_losses(x)
        centre = torch.full((3, 9, 2), 1, dtype=torch.long)
        tiles = cut_tiles(model.squares(x), 3, 10, centre)
        manual = torch.stack([
            F.cross_entropy(
                model.permutation_logits(tiles, torch.full((3, ), k)),
                torch.full((3, ), k),
                reduction='none') for k in model.score_indices.tolist()
        ]).mean(0)
    assert losses.shape == (3, )
    assert torch.equal(losses, again)  # deterministic scoring
    assert torch.allclose(losses, manual, atol=1e-6)
    assert len(set(model.score_indices.tolist())) == 3
    other = jigsaw(seed=5)
    assert not torch.equal(model.permutations, other.permutations)


def test_training_draws_a_permutation_per_image_and_learns():
    model = jigsaw(num_permutations=4, score_perms=4).train()
    x = torch.randn(4, 3, 36, 36)
    loss = model.loss(x, None)['loss']
    assert loss.requires_grad
    loss.backward()
    assert model.head[0].weight.grad.abs().sum() > 0
    assert model.backbone.stem[0].weight.grad.abs().sum() > 0


def test_pooled_feature_is_the_whole_image():
    """The scoring pass keeps the backbone's first call: the unshuffled,
    resized image, one row per image (not per tile)."""
    from pt4al_seg.models.feature_taps import pooled_backbone_output
    model = jigsaw().eval()
    x = torch.randn(2, 3, 30, 30)
    with torch.no_grad(), pooled_backbone_output(model) as captured:
        model.image_losses(x)
        whole = model.backbone(model.squares(x))[-1].mean((2, 3))
    assert captured['feat'].shape == (2, 512)
    assert torch.allclose(captured['feat'], whole, atol=1e-5)


def test_bad_settings():
    with pytest.raises(ValueError, match='jitter'):
        jigsaw(jitter=12)
    with pytest.raises(ValueError, match='score_perms'):
        jigsaw(score_perms=11)


JIGSAW_SEG = ('configs/pt4al_seg/'
              'pt4al-jigsaw_deeplabv3_r18-d8_fashion-scenes-64x64.py')
JIGSAW_CLS = ('configs/pt4al_cls/'
              'pt4al-jigsaw_resnet18-cifar_fashion-cls-32x32.py')


def pretext_losses_by_hand(config, wd, img_dir, ids):
    """Each image's loss under ``pretext/model.pth``, recomputed one image
    at a time from the config's pretext model."""
    from ...conftest import REPO
    from ...oracles import pretext_by_hand
    return pretext_by_hand(
        osp.join(REPO, config), wd, img_dir, ids, lambda model, data: float(
            model.image_losses(data['inputs'], data['data_samples'])[0]))


def test_jigsaw_run_segmentation(tiny_scenes, tmp_path):
    """A 2-cycle PT4AL run with the jigsaw pretext: every pool image's loss
    in pretext/losses.csv is the one recomputed from the pretext checkpoint,
    the batches follow it, and the run passes the shared contract."""
    from pt4al_seg.utils import read_ids, read_scores
    from ...conftest import check_contract, run_al
    wd = str(tmp_path / 'jigsaw')
    run_al(wd, tiny_scenes, config=JIGSAW_SEG)
    pool = read_ids(osp.join(wd, 'pool.txt'))
    losses = read_scores(osp.join(wd, 'pretext', 'losses.csv'), 'loss')
    assert set(losses) == set(pool)
    by_hand = pretext_losses_by_hand(JIGSAW_SEG, wd,
                                     osp.join(tiny_scenes, 'img_dir', 'train'),
                                     pool[:6])
    for i, value in by_hand.items():
        assert losses[i] == pytest.approx(value, rel=1e-4, abs=1e-5)
    b0 = read_ids(osp.join(wd, 'pretext', 'batches', 'batch_00.txt'))
    assert min(losses[i] for i in b0) >= max(v for i, v in losses.items()
                                             if i not in b0)
    check_contract(wd)


@pytest.mark.parametrize('config', [
    JIGSAW_CLS,
    'configs/pt4al_cls/pt4al-simsiam_resnet18-cifar_fashion-cls-32x32.py'
])
def test_pretext_run_classification(config, tmp_path, idx_source):
    """The classification demo with the jigsaw pretext (32x32, 9-pixel
    tiles) or SimSiam's (views at 32x32) runs end to end and passes the
    shared contract."""
    import subprocess
    import sys

    from pt4al_seg.experiments.fashion import build
    from pt4al_seg.utils import read_ids, read_scores
    from ...conftest import REPO, check_contract
    data = str(tmp_path / 'cls')
    build(
        data, 'cls', idx_source, size=32, num_train=40, num_val=20, workers=1)
    wd = str(tmp_path / 'run')
    proc = subprocess.run([
        sys.executable, 'tools/train_al.py', config, '--work-dir', wd,
        '--cfg-options', f'data_root={data}', 'train_cfg.max_epochs=2',
        'pretext.train_cfg.max_epochs=1', 'train_dataloader.batch_size=8',
        'pretext.batch_size=8', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'al.num_cycles=2',
        'al.budget=4'
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    losses = read_scores(osp.join(wd, 'pretext', 'losses.csv'), 'loss')
    assert set(losses) == set(read_ids(osp.join(wd, 'pool.txt')))
    assert len(set(losses.values())) == len(losses)
    check_contract(wd, '--metric', 'accuracy')

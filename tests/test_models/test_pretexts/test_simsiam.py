import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from pt4al_seg.models.pretexts.simsiam import augment, draw_views, neg_cosine
from .test_pretext import BACKBONE


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')
    torch.manual_seed(0)


def simsiam(**kwargs):
    cfg = dict(
        type='SimSiamPretext',
        backbone=BACKBONE,
        size=24,
        dim=32,
        pred_dim=8,
        score_pairs=3)
    return MODELS.build(dict(cfg, **kwargs))


def test_views_are_seeded_and_within_the_image():
    a = draw_views(200, np.random.default_rng(0))
    assert np.array_equal(a, draw_views(200, np.random.default_rng(0)))
    y0, x0, h, w = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
    assert (y0 >= 0).all() and (y0 + h <= 1 + 1e-9).all()
    assert (x0 >= 0).all() and (x0 + w <= 1 + 1e-9).all()
    assert ((h * w >= 0.2 * 0.75) & (h * w <= 1.0)).all()
    assert 0.3 < a[:, 4].mean() < 0.7 and 0.1 < a[:, 7].mean() < 0.3


def test_augment_by_hand():
    x = torch.randn(2, 3, 8, 8)
    whole_flip = torch.tensor(
        [[0, 0, 1, 1, 1, 0, 1, 0]] * 2, dtype=torch.float32)
    assert torch.allclose(augment(x, whole_flip, 8), x.flip(-1), atol=1e-6)
    # the top-left quarter, brightness +0.5, contrast x2, grey
    view = torch.tensor([[0, 0, 0.5, 0.5, 0, 0.5, 2, 1]] * 2)
    out = augment(x, view, 4)
    crop = x[:, :, :4, :4]
    mean = crop.mean((1, 2, 3), keepdim=True)
    expected = ((crop - mean) * 2 + mean + 0.5).mean(1, keepdim=True)
    assert torch.allclose(out, expected.expand_as(out), atol=1e-6)


def test_stop_gradient():
    p = torch.randn(4, 6, requires_grad=True)
    z = torch.randn(4, 6, requires_grad=True)
    neg_cosine(p, z).sum().backward()
    assert p.grad is not None and z.grad is None
    assert torch.allclose(neg_cosine(p, p), torch.full((4, ), -1.0), atol=1e-6)


def test_score_is_deterministic_and_the_mean_over_fixed_pairs():
    model = simsiam().eval()
    x = torch.randn(3, 3, 20, 20)
    with torch.no_grad():
        losses = model.image_losses(x)
        again = model.image_losses(x)
        alone = model.image_losses(x[1:2])
        squares = F.interpolate(x, (24, 24), mode='bilinear')
        manual = torch.stack([
            model.pair_losses(squares, pair[0].expand(3, 8),
                              pair[1].expand(3, 8))
            for pair in model.score_views
        ]).mean(0)
    assert losses.shape == (3, )
    assert torch.equal(losses, again)
    assert torch.allclose(alone, losses[1:2], atol=1e-5)
    assert torch.allclose(losses, manual, atol=1e-6)
    assert ((losses >= -1) & (losses <= 1)).all()
    assert not torch.equal(model.score_views, simsiam(seed=1).score_views)


def test_training_step_reaches_backbone_and_predictor():
    model = simsiam().train()
    loss = model.loss(torch.randn(4, 3, 20, 20), None)['loss']
    loss.backward()
    assert model.predictor[0].weight.grad.abs().sum() > 0
    assert model.backbone.stem[0].weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='score_pairs'):
        simsiam(score_pairs=0)


SIMSIAM_SEG = ('configs/pt4al_seg/'
               'pt4al-simsiam_deeplabv3_r18-d8_fashion-scenes-64x64.py')


def test_simsiam_run_segmentation(tiny_scenes, tmp_path):
    """A 2-cycle PT4AL run with the SimSiam pretext passes the contract, and
    its pretext/losses.csv is reproduced by a second scoring of the pool
    with pretext/model.pth (deterministic views)."""
    from pt4al_seg.utils import read_ids, read_scores
    from ...conftest import check_contract, run_al
    from .test_jigsaw import pretext_losses_by_hand
    wd = str(tmp_path / 'simsiam')
    run_al(wd, tiny_scenes, config=SIMSIAM_SEG)
    check_contract(wd)
    losses = read_scores(osp.join(wd, 'pretext', 'losses.csv'), 'loss')
    pool = read_ids(osp.join(wd, 'pool.txt'))
    assert set(losses) == set(pool)
    by_hand = pretext_losses_by_hand(SIMSIAM_SEG, wd,
                                     osp.join(tiny_scenes, 'img_dir', 'train'),
                                     pool[:5])
    for i, value in by_hand.items():
        assert losses[i] == pytest.approx(value, rel=1e-4, abs=1e-5)

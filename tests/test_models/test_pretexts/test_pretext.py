import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from pt4al_seg.datasets import PackColorizationInputs, SplitLab

BACKBONE = dict(
    type='ResNetV1c',
    depth=18,
    num_stages=4,
    out_indices=(0, 1, 2, 3),
    dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1),
    norm_cfg=dict(type='BN'),
    contract_dilation=True)


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')
    torch.manual_seed(0)


def test_split_lab_keys_and_ranges():
    grey = np.full((6, 5, 3), 90, np.uint8)
    out = SplitLab()(dict(img=grey))
    assert out['img'].shape == (6, 5, 1) and out['img'].dtype == np.uint8
    assert out['gt_ab'].shape == (6, 5, 2) and np.abs(
        out['gt_ab']).max() < 0.02
    red = np.zeros((2, 2, 3), np.uint8)
    red[..., 2] = 255  # BGR red
    ab = SplitLab()(dict(img=red))['gt_ab']
    assert ab[..., 0].min() > 0.3  # a > 0 for red
    rgb_red = red[..., ::-1].copy()
    assert np.allclose(
        SplitLab(channel_order='rgb')(dict(img=rgb_red))['gt_ab'], ab)
    with pytest.raises(ValueError):
        SplitLab(channel_order='hsv')


def test_pack_colorization_inputs():
    results = SplitLab()(
        dict(
            img=np.random.randint(0, 255, (8, 8, 3), np.uint8),
            img_path='x.png',
            ori_shape=(8, 8),
            img_shape=(8, 8)))
    packed = PackColorizationInputs()(results)
    assert tuple(packed['inputs'].shape) == (1, 8, 8)
    assert tuple(packed['data_samples'].gt_ab.data.shape) == (2, 8, 8)


def test_rotation_loss_is_mean_ce_over_four_rotations():
    model = MODELS.build(dict(type='RotationPretext',
                              backbone=BACKBONE)).eval()
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        losses = model.image_losses(x)
        manual = torch.stack([
            F.cross_entropy(
                model.rotation_logits(x, k),
                torch.full((3, ), k),
                reduction='none') for k in range(4)
        ]).mean(0)
        single = model.image_losses(x[1:2])
    assert losses.shape == (3, )
    assert torch.allclose(losses, manual)
    assert torch.allclose(
        single, losses[1:2], atol=1e-5)  # independent of the batch in eval


def test_pooled_feature_of_a_rotation_pretext_is_the_unrotated_image():
    """The scoring pass keeps the backbone's first call of a step: for the
    rotation pretext, the image as it is (not the last, 270-degree turn)."""
    from pt4al_seg.models.feature_taps import pooled_backbone_output
    model = MODELS.build(dict(type='RotationPretext',
                              backbone=BACKBONE)).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad(), pooled_backbone_output(model) as captured:
        model.image_losses(x)
        plain = model.backbone(x)[-1].mean((2, 3))
        turned = model.backbone(torch.rot90(x, 3, dims=(2, 3)))[-1].mean(
            (2, 3))
    assert torch.allclose(captured['feat'], plain, atol=1e-6)
    assert not torch.allclose(captured['feat'], turned, atol=1e-3)


def test_colorization_loss_excludes_padding_and_predict_attaches():
    model = MODELS.build(
        dict(type='ColorizationPretext', backbone=BACKBONE,
             channels=8)).eval()
    x = torch.randn(2, 1, 32, 32)
    samples = []
    for h, w in ((32, 32), (20, 24)):  # the second image was padded from 20x24
        s = SegDataSample(metainfo=dict(img_shape=(h, w)))
        s.gt_ab = PixelData(data=torch.rand(2, h, w) * 2 - 1)
        samples.append(s)
    with torch.no_grad():
        losses = model.image_losses(x, samples)
        pred = model.predict_ab(x)
    expected = F.mse_loss(pred[1, :, :20, :24], samples[1].gt_ab.data)
    assert torch.allclose(losses[1], expected)
    out = model.predict(x, samples)
    assert torch.allclose(out[0].pretext_loss, losses[0])
    train = model.train().loss(x, samples)
    assert set(train) == {'loss'} and train['loss'].requires_grad


@pytest.mark.parametrize('model', [
    dict(
        type='JigsawPretext',
        num_permutations=10,
        cell=12,
        jitter=2,
        score_perms=3,
        hidden=16),
    dict(type='SimSiamPretext', size=24, dim=32, pred_dim=8, score_pairs=3)
])
def test_batch_pretexts_exclude_padding(model):
    """Jigsaw and SimSiam score a padded image as its unpadded part alone
    (read with its padding, it would score otherwise)."""
    model = MODELS.build(dict(model, backbone=BACKBONE)).eval()
    img = torch.randn(1, 3, 14, 18)
    padded = torch.zeros(2, 3, 20, 20)
    padded[0, :, :14, :18] = img[0]
    padded[1] = torch.randn(3, 20, 20)
    samples = [
        SegDataSample(metainfo=dict(img_shape=(14, 18))),
        SegDataSample(metainfo=dict(img_shape=(20, 20)))
    ]
    with torch.no_grad():
        alone = model.image_losses(img)
        in_batch = model.image_losses(padded, samples)
        unaware = model.image_losses(padded)
    assert torch.allclose(in_batch[0], alone[0], atol=1e-6)
    assert not torch.allclose(unaware[0], alone[0], atol=1e-6)

import math

import numpy as np
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from pt4al_seg.models.learning_loss import (LossPredictionModule, lpm_features,
                                            ranking_loss)

BACKBONE = dict(
    type='ResNetV1c',
    depth=18,
    base_channels=8,
    stem_channels=8,
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


def test_ranking_loss_on_hand_made_pairs():
    target = torch.tensor([2.0, 1.0, 0.0, 5.0])  # pairs (2 vs 0), (1 vs 5)
    # right order with margin to spare -> 0
    assert ranking_loss(torch.tensor([3.0, 0.0, 1.0, 2.0]), target, 1.0) == 0
    # pair 1 right but inside the margin (0.5 < 1), pair 2 wrong by 1
    pred = torch.tensor([1.5, 2.0, 1.0, 1.0])
    assert ranking_loss(pred, target, 1.0).item() == pytest.approx(
        ((1 - 0.5) + (1 + 1)) / 2)
    assert ranking_loss(torch.tensor([1.0]), torch.tensor([1.0])).item() == 0


def test_module_shapes_and_gradient_stop():
    lpm = LossPredictionModule([4, 8], mid_channels=16)
    feats = [
        torch.randn(3, 4, 5, 5, requires_grad=True),
        torch.randn(3, 8, 2, 2)
    ]
    assert lpm(feats).shape == (3, )
    hub = MessageHub.get_instance('ll_test')
    hub.update_info('iter', 5)
    assert lpm_features(feats, stop_grad_iter=10)[0].requires_grad
    assert lpm_features(feats)[0].requires_grad
    assert not lpm_features(feats, stop_grad_iter=5)[0].requires_grad


def segmentor(loss_prediction: dict, **head):
    """A small LossPredictionEncoderDecoder (3 classes, 32x32 inputs)."""
    return MODELS.build(
        dict(
            type='LossPredictionEncoderDecoder',
            backbone=BACKBONE,
            data_preprocessor=dict(type='SegDataPreProcessor', size=(32, 32)),
            decode_head=dict(
                type='FCNHead',
                in_channels=64,
                in_index=3,
                channels=8,
                num_convs=1,
                num_classes=3,
                norm_cfg=dict(type='BN'),
                **head),
            test_cfg=ConfigDict(mode='whole'),
            loss_prediction=loss_prediction))


def test_segmentor_trains_and_predicts_loss():
    model = segmentor(dict(mid_channels=8, weight=2.0))
    samples = []
    for _ in range(4):
        s = SegDataSample(
            metainfo=dict(
                img_shape=(32, 32), ori_shape=(32, 32), pad_shape=(32, 32)))
        s.gt_sem_seg = PixelData(data=torch.randint(0, 3, (1, 32, 32)))
        samples.append(s)
    x = torch.randn(4, 3, 32, 32)
    losses = model.loss(x, samples)
    assert {'decode.loss_ce', 'loss_lpm'} <= set(losses)
    losses['loss_lpm'].backward()
    assert model.loss_module.out.weight.grad is not None
    per_image = model.image_losses(
        model.decode_head.forward(model.extract_feat(x)), samples)
    assert per_image.shape == (4, )
    model.eval()
    with torch.no_grad():
        out = model.predict(x, samples)
        expected = model.loss_module(model.extract_feat(x))
    assert torch.allclose(
        torch.stack([s.pred_loss for s in out]), expected, atol=1e-5)
    assert 'seg_logits' in out[0]


def test_segmentor_loss_is_weighted_ranking_loss_of_true_image_losses():
    """loss_lpm == λ · ranking loss (the paper's, pair by pair) between the
    module's predictions and each image's cross-entropy computed here pixel
    by pixel (ignore index left out); from stop_grad_iter on, loss_lpm sends
    no gradient into the backbone."""
    import torch.nn.functional as F

    from ..oracles import naive_ranking_loss
    model = segmentor(
        dict(mid_channels=8, weight=2.5, margin=0.5, stop_grad_iter=3),
        dropout_ratio=0)  # the same logits twice
    gts, samples = [], []
    for k in range(4):
        gt = torch.randint(0, 3, (1, 32, 32))
        gt[0, :k * 4] = 255  # a different ignored band per image
        gts.append(gt[0])
        s = SegDataSample(
            metainfo=dict(
                img_shape=(32, 32), ori_shape=(32, 32), pad_shape=(32, 32)))
        s.gt_sem_seg = PixelData(data=gt)
        samples.append(s)
    x = torch.randn(4, 3, 32, 32)
    hub = MessageHub.get_instance('ll_identity')
    hub.update_info('iter', 0)
    losses = model.loss(x, samples)
    with torch.no_grad():
        feats = model.extract_feat(x)
        logits = F.interpolate(
            model.decode_head.forward(feats), size=(32, 32), mode='bilinear')
        pred = model.loss_module(feats).tolist()
    true_losses = []
    for i, gt in enumerate(gts):
        valid = gt != 255
        true_losses.append(
            F.cross_entropy(logits[i][:, valid].T, gt[valid]).item())
    assert losses['loss_lpm'].item() == pytest.approx(
        2.5 * naive_ranking_loss(pred, true_losses, 0.5), rel=1e-4)

    def backbone_grad(iteration):
        hub.update_info('iter', iteration)
        model.zero_grad()
        model.loss(x, samples)['loss_lpm'].backward()
        return sum(p.grad.abs().sum().item()
                   for p in model.backbone.parameters() if p.grad is not None)

    assert backbone_grad(2) > 0
    assert backbone_grad(3) == 0
    assert model.loss_module.out.weight.grad.abs().sum() > 0


def test_classification_family_trains_and_predicts_loss():
    """The same segmentor on the classification family's model: the module on
    the backbone's four stages, each image's loss its cross-entropy."""
    from ..conftest import labelled_unlabelled_cls_batch
    model, x, samples = labelled_unlabelled_cls_batch(
        dict(type='LossPredictionEncoderDecoder'), labelled=4, unlabelled=0)
    losses = model.train().loss(x, samples)
    assert {'decode.loss_ce', 'loss_lpm'} <= set(losses)
    with torch.no_grad():
        logits = model.decode_head.forward(model.extract_feat(x))
    labels = torch.tensor([k % 10 for k in range(4)])
    assert model.image_losses(logits, samples) == pytest.approx(
        torch.nn.functional.cross_entropy(
            logits.flatten(1), labels, reduction='none'),
        rel=1e-5)
    out = model.eval().predict(x, samples)
    assert out[0].pred_loss.shape == ()


def test_strategy_config_stops_the_gradient_at_a_share_of_training():
    """The learning-loss strategy config asks for the paper's stop at 60 % of
    each cycle's training: of the epochs in an epoch-based training (18 of
    30), else of the iterations (180 of 300)."""
    from mmengine.config import Config

    from pt4al_seg.engine.strategy_configs import strategy_file

    cfg = Config.fromfile(strategy_file('learning-loss'))
    assert cfg.al.model.loss_prediction.stop_grad == 0.6
    feats = [torch.ones(1, requires_grad=True)]
    hub = MessageHub.get_instance('ll_share')
    for max_epochs, max_iters, at, stop in ((30, 300, 'epoch', 18),
                                            (1, 300, 'iter', 180)):
        hub.update_info('max_epochs', max_epochs)
        hub.update_info('max_iters', max_iters)
        for key in ('epoch', 'iter'):
            hub.update_info(key, 0)
        hub.update_info(at, stop - 1)
        assert lpm_features(feats, stop_grad=0.6)[0].requires_grad
        hub.update_info(at, stop)
        assert not lpm_features(feats, stop_grad=0.6)[0].requires_grad


def test_ranking_accuracy_known_answers():
    from pt4al_seg.evaluation import ranking_accuracy

    # pairs (0,1) and (0,2) ordered right, (1,2) wrong
    assert ranking_accuracy([1, 2, 3],
                            [0.1, 0.3, 0.2]) == pytest.approx(200 / 3)
    assert ranking_accuracy([3, 2, 1], [0.3, 0.2, 0.1]) == 100
    # pairs with equal true losses do not count; a tied prediction is wrong
    assert ranking_accuracy([1, 1, 5],
                            [0.2, 0.4, 0.4]) == pytest.approx(100 / 2)
    assert math.isnan(ranking_accuracy([1, 2], [0.5, 0.5]))


def test_loss_ranking_metric_on_hand_made_segmentation():
    """True losses by hand: one 1x2 image per sample, logits (0, log 3)
    give p = (1/4, 3/4); the ignored pixel is left out."""
    from mmseg.registry import METRICS

    from pt4al_seg.evaluation import LossRankingMetric  # noqa: F401
    logits = torch.tensor([[[0.0, 0.0]], [[math.log(3), math.log(3)]]])
    samples = []
    for label, pred in (([1, 255], 0.5), ([0, 255], 0.9), ([0, 1], 0.1)):
        samples.append(
            dict(
                seg_logits=dict(data=logits),
                gt_sem_seg=dict(data=torch.tensor([[label]])),
                pred_loss=torch.tensor(pred)))
    # true losses: -log 3/4 = 0.288, -log 1/4 = 1.386, their mean 0.837
    metric = METRICS.build(dict(type='LossRankingMetric'))
    metric.process({}, samples)
    true = [r[1] for r in metric.results]
    assert true == pytest.approx([
        -math.log(0.75), -math.log(0.25),
        -(math.log(0.75) + math.log(0.25)) / 2
    ])
    # true order 1 > 2 > 0; predicted 1 > 0 > 2: pairs (0,1) right,
    # (0,2) wrong, (1,2) right
    assert metric.compute_metrics(
        metric.results) == dict(lpm_rank_acc=round(200 / 3, 2))


def test_ranking_accuracy_in_blocks_equals_pair_by_pair():
    from pt4al_seg.evaluation import ranking_accuracy
    rng = np.random.default_rng(0)
    pred, true = rng.integers(0, 6, 50), rng.integers(0, 6, 50)
    pairs = [(i, j) for i in range(50) for j in range(i + 1, 50)
             if true[i] != true[j]]
    right = sum(
        (pred[i] - pred[j]) * (true[i] - true[j]) > 0 for i, j in pairs)
    for chunk in (1, 7, 2048):
        assert ranking_accuracy(pred, true, chunk) == pytest.approx(
            100 * right / len(pairs))

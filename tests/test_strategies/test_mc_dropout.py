"""Monte-Carlo dropout queries on hand-made probabilities with known answers,
and the T stochastic passes ScoreLoop runs for them."""
import math

import pytest
import torch
from mmengine.structures import BaseDataElement
from torch import nn

from pt4al_seg.models.mc_dropout import dropout_layers, mc_probs
from pt4al_seg.registry import QUERIES


def one_hot(classes, num_classes):
    """(T,) class indices to (T, C) one-hot probabilities."""
    return torch.eye(num_classes)[torch.tensor(classes)]


def image(pixels):
    """A list of (T, C) per-pixel samples to (T, C, 1, P): one image."""
    return torch.stack(pixels, dim=-1)[:, :, None, :]


def score(query, probs, valid=None):
    sample = dict(mc_probs=probs)
    return QUERIES.build(dict(type=query, mc_samples=probs.shape[0])) \
        .score_sample(sample, valid)


def test_bald_known_answers():
    agree = one_hot([2, 2, 2, 2], 4)
    spread = one_hot([0, 1, 2, 3], 4)  # one-hot samples over all 4 classes
    assert score('BALD', image([agree])) == pytest.approx(0, abs=1e-6)
    assert score('BALD', image([spread])) == pytest.approx(math.log(4))
    # two soft samples: H[mean] - mean H by hand
    soft = torch.tensor([[0.9, 0.1], [0.5, 0.5]])
    h = [-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)), math.log(2)]
    h_mean = -(0.7 * math.log(0.7) + 0.3 * math.log(0.3))
    assert score('BALD', image([soft])) == pytest.approx(h_mean - sum(h) / 2)
    # identical soft samples: uncertain, but the model agrees with itself
    same = torch.tensor([[0.5, 0.5]] * 3)
    assert score('BALD', image([same])) == pytest.approx(0, abs=1e-6)
    # averaged over pixels
    assert score('BALD', image([agree,
                                spread])) == pytest.approx(math.log(4) / 2)


def test_variation_ratio_known_answers():
    probs = one_hot([0, 0, 1], 3)
    assert score('VariationRatio', image([probs])) == pytest.approx(1 / 3)
    assert score('VariationRatio', image([one_hot([1, 1, 1],
                                                  3)])) == pytest.approx(0)
    # a tie between two modal classes: 1 - 2/4
    assert score('VariationRatio', image([one_hot([0, 1, 1, 0],
                                                  3)])) == pytest.approx(0.5)
    # soft samples vote with their arg-max
    soft = torch.tensor([[0.6, 0.4], [0.4, 0.6], [0.51, 0.49]])
    assert score('VariationRatio', image([soft])) == pytest.approx(1 / 3)


def test_mean_std_known_answers():
    flip = one_hot([0, 1], 2)  # each class 1 then 0: deviation 0.5
    assert score('MeanStd', image([flip])) == pytest.approx(0.5)
    assert score('MeanStd', image([one_hot([1, 1], 2)])) == pytest.approx(0)
    soft = torch.tensor([[0.8, 0.2], [0.4, 0.6]])  # deviation 0.2 per class
    assert score('MeanStd', image([soft])) == pytest.approx(0.2)


def test_valid_mask_and_missing_samples():
    probs = image([one_hot([0, 1], 2), one_hot([1, 1], 2)])  # 2 pixels
    valid = torch.tensor([[False, True]])
    for query in ('BALD', 'VariationRatio', 'MeanStd'):
        assert score(query, probs, valid) == pytest.approx(0, abs=1e-6)
        assert score(query, probs) > 0.1
    with pytest.raises(RuntimeError, match='mc_probs'):
        QUERIES.build(dict(type='BALD')).score_sample(
            dict(seg_logits=dict(data=torch.zeros(2, 1, 1))))
    with pytest.raises(ValueError, match='mc_samples must be at least 2'):
        QUERIES.build(dict(type='BALD', mc_samples=1))


class TinySegmenter(nn.Module):
    """test_step as a model's: one 1x1 conv after dropout, logits per
    image."""

    def __init__(self, p):
        super().__init__()
        self.drop = nn.Dropout2d(p)
        self.conv = nn.Conv2d(32, 4, 1)

    def test_step(self, data):
        x = torch.stack(list(data['inputs']))
        logits = self.conv(self.drop(x))
        for s, row in zip(data['data_samples'], logits):
            s.seg_logits = BaseDataElement(data=row)
        return data['data_samples']


def test_mc_passes_are_stochastic_per_copy_and_restore_eval():
    torch.manual_seed(0)
    model = TinySegmenter(0.5).eval()
    batch = dict(
        inputs=[torch.randn(32, 5, 6),
                torch.randn(32, 5, 6)],
        data_samples=[BaseDataElement(), BaseDataElement()])
    layers = dropout_layers(model)
    assert layers == [model.drop]
    with torch.no_grad():
        probs = mc_probs(model, batch, 6, layers)
    assert [tuple(p.shape) for p in probs] == [(6, 4, 5, 6)] * 2
    assert probs[0].dtype == torch.float32
    assert torch.allclose(probs[0].sum(1), torch.ones(6, 5, 6))
    # independent masks: the 6 samples of an image differ
    assert len({tuple(p.flatten().tolist()) for p in probs[0]}) == 6
    assert not model.drop.training  # back to eval
    # image i's samples are its own: without dropout they equal its eval pass
    model.drop.p = 0.0
    with torch.no_grad():
        plain = mc_probs(model, batch, 3, layers)
        ref = model.conv(batch['inputs'][1][None]).softmax(1)[0]
    assert torch.allclose(plain[1], ref.expand(3, -1, -1, -1), atol=1e-6)
    assert dropout_layers(model) == []


def _seg_model_and_batch():
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    from mmseg.structures import SegDataSample

    from ..conftest import CONFIG
    init_default_scope('mmseg')
    cfg = Config.fromfile(CONFIG)
    cfg.model.decode_head.dropout_ratio = 0.5  # visible disagreement
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    flip = dict(flip=True, flip_direction='horizontal')
    batch = dict(
        inputs=[
            torch.randint(0, 255, (3, 24, 40), dtype=torch.uint8)
            for _ in range(2)
        ],
        data_samples=[
            SegDataSample(
                metainfo=dict(img_shape=(24, 40), ori_shape=(30, 50), **f))
            for f in (dict(), flip)
        ])
    return model, batch


def _cls_model_and_batch():
    """The classification family's model (its head pools the image), with
    dropout before its 1x1 classifier."""
    from ..conftest import labelled_unlabelled_cls_batch
    torch.manual_seed(0)
    model, _, samples = labelled_unlabelled_cls_batch(
        dict(decode_head=dict(dropout_ratio=0.5)), labelled=0, unlabelled=3)
    batch = dict(
        inputs=[torch.rand(3, 32, 32) * 255 for _ in range(3)],
        data_samples=samples)
    return model.eval(), batch


@pytest.mark.parametrize('build', [_seg_model_and_batch, _cls_model_and_batch])
def test_last_layer_samples_equal_whole_passes(build):
    """Re-running only the layer after the dropout gives exactly what T
    whole passes give (the same dropout masks drawn from the same seed):
    DeepLab (resized, flip undone, original size) and the classifier."""
    import copy

    from pt4al_seg.models.mc_dropout import last_layer, last_layer_probs
    model, batch = build()
    layers = dropout_layers(model)
    drop, layer = last_layer(model, layers)
    seen = []
    handle = drop.register_forward_hook(lambda m, i, o: seen.append(i[0]))
    with torch.no_grad():
        outputs = model.test_step(copy.deepcopy(batch))
        handle.remove()
        torch.manual_seed(7)
        whole = mc_probs(model, batch, 4, layers)
        torch.manual_seed(7)
        last = last_layer_probs(model, drop, layer, seen[0], outputs, 4)
    assert len(seen) == 1 and not drop.training
    for a, b in zip(whole, last):
        assert a.shape == b.shape and a.shape[0] == 4
        assert torch.allclose(a, b, atol=1e-5)
        assert (a[0] - a[1]).abs().max() > 1e-3  # the samples differ
    # the original size (the classifier's: its 32x32 images)
    size = (30, 50) if build is _seg_model_and_batch else (32, 32)
    assert tuple(whole[0].shape[-2:]) == size


def test_auxiliary_head_dropout_does_not_count():
    """DeepLab's auxiliary head only trains: a model whose decode head has no
    dropout has none for Monte-Carlo sampling, whatever the auxiliary head
    has (sampling it would give T equal passes and BALD 0 everywhere)."""
    model, _ = _seg_model_and_batch()
    assert model.auxiliary_head.dropout.p > 0
    assert dropout_layers(model) == [model.decode_head.dropout]
    model.decode_head.dropout.p = 0.0
    assert dropout_layers(model) == []

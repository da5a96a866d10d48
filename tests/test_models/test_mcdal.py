"""MCDAL: the query on hand-made probabilities, the losses of both models
(what reaches which weights), their predictions, and the unlabelled
training batches."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement
from mmseg.structures import SegDataSample

from pt4al_seg.engine.phase_hooks import UnlabelledBatchHook
from pt4al_seg.engine.phase_hooks.unlabelled_batch_hook import \
    unlabelled_pipeline
from pt4al_seg.models.mcdal import discrepancy
from pt4al_seg.models.unlabelled import split_unlabelled
from pt4al_seg.registry import QUERIES
from ..conftest import labelled_unlabelled_batch


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')
    torch.manual_seed(0)


def one_hot(classes, num_classes):
    return torch.eye(num_classes)[torch.tensor(classes)]


def query_score(main, aux, valid=None):
    """MCDAL's score of one image from the three classifiers' probabilities,
    each (C, H, W) (given to the query as logits)."""
    sample = dict(
        seg_logits=dict(data=main.clamp(min=1e-9).log()),
        aux_logits=aux.clamp(min=1e-9).log())
    return QUERIES.build(dict(type='MCDAL')).score_sample(sample, valid)


def pixels(*probs):
    """(C,) probabilities per pixel to a (C, 1, P) map."""
    return torch.stack(probs, -1)[:, None]


def test_query_known_answers():
    a = torch.tensor([0.7, 0.2, 0.1])
    # all three agree: 0
    assert query_score(pixels(a), torch.stack([pixels(a)] * 2)) == \
        pytest.approx(0, abs=1e-6)
    # three one-hot votes for three classes: 2 per pair, 6 at most
    h = one_hot([0, 1, 2], 3)
    assert query_score(
        pixels(h[0]), torch.stack([pixels(h[1]),
                                   pixels(h[2])])) == pytest.approx(6)
    # by hand: |main-a1|_1 + |main-a2|_1 + |a1-a2|_1
    b, c = torch.tensor([0.5, 0.3, 0.2]), torch.tensor([0.1, 0.1, 0.8])
    by_hand = (0.2 + 0.1 + 0.1) + (0.6 + 0.1 + 0.7) + (0.4 + 0.2 + 0.6)
    assert query_score(pixels(a), torch.stack([pixels(b),
                                               pixels(c)])) == pytest.approx(
                                                   by_hand, rel=1e-5)
    # averaged over pixels, the mask leaves pixels out
    main, aux = pixels(a,
                       h[0]), torch.stack([pixels(a, h[1]),
                                           pixels(a, h[2])])
    assert query_score(main, aux) == pytest.approx(3)
    assert query_score(main, aux, torch.tensor([[False, True]])) == \
        pytest.approx(6)
    # a model without the auxiliary classifiers
    with pytest.raises(RuntimeError, match='MCDALEncoderDecoder'):
        QUERIES.build(dict(type='MCDAL')).score_sample(
            dict(seg_logits=dict(data=torch.zeros(3, 1, 1))))


def test_training_discrepancy_and_split():
    a = torch.tensor([[0.0, 0.0]])  # softmax (0.5, 0.5)
    b = torch.tensor([[100.0, 0.0]])  # (1, 0)
    assert discrepancy(a, b).item() == pytest.approx(0.5)
    samples = [
        BaseDataElement(metainfo=dict(unlabelled=u))
        for u in (False, True, False, True)
    ] + [BaseDataElement()]
    assert split_unlabelled(samples) == ([0, 2, 4], [1, 3])


def test_unlabelled_pipeline_loads_no_label():
    seg = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='RandomCrop', crop_size=(8, 8), cat_max_ratio=0.75),
        dict(type='PackSegInputs')
    ]
    assert unlabelled_pipeline(seg) == [
        dict(type='LoadImageFromFile'),
        dict(type='RandomCrop', crop_size=(8, 8), cat_max_ratio=1.0),
        dict(type='PackSegInputs')
    ]
    assert seg[2]['cat_max_ratio'] == 0.75  # the original is untouched
    cls = [
        dict(type='LoadClsImage'),
        dict(type='LoadClsLabel'),
        dict(type='PackSegInputs')
    ]
    assert unlabelled_pipeline(cls) == [cls[0], cls[2]]


def seg_model_and_batch(labelled=2, unlabelled=2):
    return labelled_unlabelled_batch(
        dict(type='MCDALEncoderDecoder'), labelled, unlabelled)


def test_segmentor_losses_reach_only_their_weights():
    model, inputs, samples = seg_model_and_batch()
    losses = model.train().loss(inputs, samples)
    assert {'decode.loss_ce', 'loss_mcdal_ce',
            'loss_mcdal_disc'} <= set(losses)
    assert losses['loss_mcdal_disc'].item() < 0  # maximised
    (losses['loss_mcdal_ce'] + losses['loss_mcdal_disc']).backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    assert all(grads[n] is None for n in grads if not n.startswith('mcdal'))
    assert all(grads[n].abs().sum() > 0 for n in grads
               if n.startswith('mcdal'))
    # the task model's loss alone: nothing reaches the auxiliary heads
    model.zero_grad(set_to_none=True)
    losses = model.loss(inputs, samples)
    losses['decode.loss_ce'].backward()
    assert all(p.grad is None for p in model.mcdal_heads.parameters())
    assert model.backbone.stem[0].weight.grad.abs().sum() > 0


def test_segmentor_discrepancy_is_the_three_way_sum():
    """-(d(a1, a2) + d(a1, main) + d(a2, main)) on the unlabelled images,
    recomputed from the model's own parts in eval mode (same as training
    mode here: BatchNorm frozen by eval on both sides)."""
    model, inputs, samples = seg_model_and_batch()
    model.eval()
    losses = model.loss(inputs, samples)
    x = model.extract_feat(inputs[2:])
    main = model.decode_head.forward(x)
    feat = model.decode_head._forward_feature(x)
    a1, a2 = (h(feat) for h in model.mcdal_heads)
    by_hand = discrepancy(a1, a2) + discrepancy(a1, main) + discrepancy(
        a2, main)
    assert losses['loss_mcdal_disc'].item() == pytest.approx(
        -by_hand.item(), rel=1e-5)
    # without unlabelled images, no discrepancy term
    model, inputs, samples = seg_model_and_batch(unlabelled=0)
    assert 'loss_mcdal_disc' not in model.train().loss(inputs, samples)


def test_segmentor_prediction_attaches_aux_logits():
    model, inputs, samples = seg_model_and_batch(labelled=0, unlabelled=2)
    for s in samples:
        s.set_metainfo(dict(ori_shape=(40, 36)))
    out = model.eval().predict(inputs, samples)
    for s in out:
        assert s.aux_logits.shape == (2, ) + s.seg_logits.data.shape
        assert s.seg_logits.data.shape[-2:] == (40, 36)
        assert not torch.equal(s.aux_logits[0], s.aux_logits[1])


def test_segmentor_refuses_sliding_window_inference():
    model, inputs, samples = seg_model_and_batch(labelled=0)
    model.test_cfg = dict(mode='slide', crop_size=(16, 16), stride=(8, 8))
    with pytest.raises(RuntimeError, match='whole-image inference'):
        model.eval().predict(inputs, samples)


def test_classification_family_losses_and_prediction():
    """The same segmentor on the classification family's model: the
    auxiliary classifiers sit beside the pooled head's 1x1 classifier and
    get only their own gradients; each predicts the image's class."""
    from ..conftest import labelled_unlabelled_cls_batch
    model, inputs, samples = labelled_unlabelled_cls_batch(
        dict(type='MCDALEncoderDecoder'))
    losses = model.train().loss(inputs, samples)
    assert {'decode.loss_ce', 'loss_mcdal_ce',
            'loss_mcdal_disc'} <= set(losses)
    (losses['loss_mcdal_ce'] + losses['loss_mcdal_disc']).backward()
    assert all(p.grad is None for n, p in model.named_parameters()
               if not n.startswith('mcdal'))
    out = model.eval().predict(inputs[2:], samples[2:])
    assert out[0].aux_logits.shape == (2, 10, 32, 32)
    # one value per image, spread over its pixels
    assert torch.allclose(
        out[0].aux_logits[..., :1, :1].expand(-1, -1, 32, 32),
        out[0].aux_logits,
        atol=1e-6)


def test_unlabelled_batches_join_the_training_batch():

    class FakeRunner:
        seed = 0

        @staticmethod
        def build_dataloader(cfg, seed):
            return [
                dict(
                    inputs=[torch.zeros(3, 2, 2)] * 2,
                    data_samples=[BaseDataElement(),
                                  BaseDataElement()])
            ]

    hook = UnlabelledBatchHook(dict())
    hook.before_train(FakeRunner)
    batch = dict(inputs=[torch.ones(3, 2, 2)], data_samples=[SegDataSample()])
    hook.before_train_iter(FakeRunner, 0, batch)
    assert len(batch['inputs']) == 3 and len(batch['data_samples']) == 3
    assert split_unlabelled(batch['data_samples']) == ([0], [1, 2])

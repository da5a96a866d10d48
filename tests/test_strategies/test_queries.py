import math

import pytest
import torch

from pt4al_seg.registry import QUERIES
from pt4al_seg.strategies import (Entropy, LeastConfidence, Margin,
                                  PredictedLoss, Random, masked_mean)


def _logits_from_probs(probs):
    return torch.tensor(probs).log()


@pytest.mark.parametrize('shape', [(2, 3, 4, 5), (1, 11, 8, 8), (3, 2, 1, 1)])
def test_least_confidence_formula(shape):
    logits = torch.randn(shape)
    expected = (1 - logits.softmax(1).max(1).values).flatten(1).mean(1)
    assert torch.allclose(LeastConfidence()(logits), expected)


def test_padding_and_region_mask_excluded():
    # image: left column certain (p=1.0), right column uncertain (p=0.5)
    probs = torch.tensor([[1.0, 0.5], [1.0, 0.5]])  # (H, W) max prob
    p = torch.stack([probs, 1 - probs])[None]  # (1, 2, H, W)
    logits = p.clamp(min=1e-9).log()
    assert LeastConfidence()(logits).item() == pytest.approx(0.25)
    valid = torch.tensor([[[True, False], [True,
                                           False]]])  # right column is padding
    assert LeastConfidence()(logits, valid).item() == pytest.approx(
        0.0, abs=1e-6)
    valid = torch.tensor([[[False, True], [False, True]]])
    assert LeastConfidence()(logits, valid).item() == pytest.approx(0.5)


def test_entropy_and_margin_on_known_probs():
    logits = _logits_from_probs([[[[0.5]], [[0.25]], [[0.25]]]])
    assert Entropy()(logits).item() == pytest.approx(-(0.5 * math.log(0.5) +
                                                       0.5 * math.log(0.25)))
    assert Margin()(logits).item() == pytest.approx(1 - (0.5 - 0.25))
    assert LeastConfidence()(logits).item() == pytest.approx(0.5)


def test_classification_logits_and_dtype():
    logits = torch.tensor([[2.0, 0.0], [0.0, 0.0]], dtype=torch.bfloat16)
    scores = LeastConfidence()(logits)
    assert scores.dtype == torch.float32
    assert scores[1].item() == pytest.approx(0.5) and scores[0] < scores[1]


def test_masked_mean_empty_mask_is_zero():
    assert masked_mean(
        torch.ones(1, 2, 2), torch.zeros(1, 2, 2,
                                         dtype=torch.bool)).item() == 0


def test_random_is_a_function_of_seed_and_id():
    ids = [f'img_{i}' for i in range(50)]
    a = Random(seed=1).score_ids(ids)
    assert Random(seed=1).score_ids(list(reversed(ids))) == list(reversed(a))
    assert Random(seed=2).score_ids(ids) != a
    assert not Random.needs_model and all(0 <= s < 1 for s in a)
    with pytest.raises(NotImplementedError):
        LeastConfidence().score_ids(ids)


def test_build_by_name():
    assert isinstance(QUERIES.build(dict(type='Margin')), Margin)
    with pytest.raises(KeyError, match="unknown query 'Confusion'"):
        QUERIES.build(dict(type='Confusion'))


def test_score_sample_reads_seg_or_classifier_logits_and_predicted_loss():
    logits = torch.zeros(2, 2, 2)
    logits[0, 0, 0] = 50.0  # one certain pixel of four
    sample = dict(seg_logits=dict(data=logits))
    assert LeastConfidence().score_sample(sample) == pytest.approx(0.375)
    valid = torch.tensor([[True, False], [False, False]])
    assert LeastConfidence().score_sample(sample, valid) == pytest.approx(
        0.0, abs=1e-6)
    assert Margin().score_sample(
        dict(seg_logits=dict(data=torch.zeros(3, 1, 1)))) == pytest.approx(1.0)
    assert PredictedLoss().score_sample(
        dict(pred_loss=torch.tensor(2.5))) == 2.5

import math

import pytest
import torch

from pt4al_seg.registry import SELECTORS
from pt4al_seg.selectors import Entropy, LeastConfidence, Margin, Random, masked_mean, top_k


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
    valid = torch.tensor([[[True, False], [True, False]]])  # right column is padding
    assert LeastConfidence()(logits, valid).item() == pytest.approx(0.0, abs=1e-6)
    valid = torch.tensor([[[False, True], [False, True]]])
    assert LeastConfidence()(logits, valid).item() == pytest.approx(0.5)


def test_entropy_and_margin_on_known_probs():
    logits = _logits_from_probs([[[[0.5]], [[0.25]], [[0.25]]]])
    assert Entropy()(logits).item() == pytest.approx(-(0.5 * math.log(0.5) + 0.5 * math.log(0.25)))
    assert Margin()(logits).item() == pytest.approx(1 - (0.5 - 0.25))
    assert LeastConfidence()(logits).item() == pytest.approx(0.5)


def test_classification_logits_and_dtype():
    logits = torch.tensor([[2.0, 0.0], [0.0, 0.0]], dtype=torch.bfloat16)
    scores = LeastConfidence()(logits)
    assert scores.dtype == torch.float32
    assert scores[1].item() == pytest.approx(0.5) and scores[0] < scores[1]


def test_masked_mean_empty_mask_is_zero():
    assert masked_mean(torch.ones(1, 2, 2), torch.zeros(1, 2, 2, dtype=torch.bool)).item() == 0


def test_random_is_a_function_of_seed_and_id():
    ids = [f'img_{i}' for i in range(50)]
    a = Random(seed=1).score_ids(ids)
    assert Random(seed=1).score_ids(list(reversed(ids))) == list(reversed(a))
    assert Random(seed=2).score_ids(ids) != a
    assert not Random.needs_model and all(0 <= s < 1 for s in a)
    with pytest.raises(NotImplementedError):
        LeastConfidence().score_ids(ids)


def test_top_k_ties_break_by_id():
    scores = {'c': 0.5, 'a': 0.5, 'b': 0.9, 'd': 0.1}
    assert top_k(scores, 2) == ['b', 'a']
    assert top_k(scores, 3) == ['b', 'a', 'c']
    with pytest.raises(ValueError):
        top_k(scores, 5)


def test_build_by_name():
    assert isinstance(SELECTORS.build(dict(type='Margin')), Margin)


def test_class_balanced_takes_turns():
    from pt4al_seg.selectors import class_balanced
    scores = {'a': .9, 'b': .8, 'c': .7, 'd': .6, 'e': .5, 'f': .4}
    classes = {'a': 1, 'b': 1, 'c': 1, 'd': 2, 'e': 3, 'f': 3}
    assert class_balanced(scores, classes, 3) == ['a', 'd', 'e']
    assert class_balanced(scores, classes, 5) == ['a', 'd', 'e', 'b', 'f']
    assert class_balanced(scores, classes, 6)[-1] == 'c'
    with pytest.raises(ValueError):
        class_balanced(scores, classes, 7)


def test_kcenter_greedy_on_points():
    import numpy as np

    from pt4al_seg.selectors import kcenter_greedy
    labelled = np.array([[0.0, 0.0]])
    cand = np.array([[1.0, 0.0], [10.0, 0.0], [9.0, 0.0], [0.0, 5.0]])
    picked, dist = kcenter_greedy(cand, labelled, 2)
    assert picked == [1, 3]  # farthest first, then farthest from {labelled, picked}
    assert np.allclose(dist, [1, 10, 9, 5])
    picked, dist = kcenter_greedy(cand, np.zeros((0, 2)), 2)
    assert picked[0] == 0 and np.isinf(dist).all()  # nothing labelled: first, then farthest
    assert picked[1] == 1

"""Committee and output-discrepancy queries on hand-made probabilities with
known answers: the scoring model's logits first, its members' probabilities
(``member_probs``) after them, as ScoreLoop attaches them."""
import math

import pytest
import torch

from pt4al_seg.registry import QUERIES
from pt4al_seg.strategies.queries import MemberQuery


def one_hot(classes, num_classes):
    """(M,) class indices to (M, C) one-hot probabilities."""
    return torch.eye(num_classes)[torch.tensor(classes)]


def image(pixels):
    """A list of (M, C) per-pixel probabilities to (M, C, 1, P): one image."""
    return torch.stack(pixels, dim=-1)[:, :, None, :]


def logits_of(probs):
    """Logits whose softmax gives ``probs`` (zeros clipped to 1e-9)."""
    return probs.clamp(min=1e-9).log()


def score(cfg, probs, valid=None):
    """The query's score of one image whose M probability maps are ``probs``
    (the first the scoring model's, given to the query as its logits)."""
    query = QUERIES.build(cfg)
    sample = dict(
        seg_logits=dict(data=logits_of(probs[0])), member_probs=probs[1:])
    return query.score_sample(sample, valid)


QBC = dict(type='VoteEntropy', members=3)
KL = dict(type='ConsensusKL', members=3)


def test_vote_entropy_known_answers():
    assert score(QBC, image([one_hot([1, 1, 1], 4)])) == pytest.approx(0)
    # three members, three classes: log 3, the most three votes can spread
    assert score(QBC, image([one_hot([0, 1, 2],
                                     4)])) == pytest.approx(math.log(3))
    two_one = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert score(QBC, image([one_hot([3, 0, 3], 4)])) == pytest.approx(two_one)
    # soft members vote with their arg-max: as [0, 1, 0]
    soft = torch.tensor([[0.6, 0.4], [0.45, 0.55], [0.9, 0.1]])
    assert score(QBC, image([soft])) == pytest.approx(two_one)
    # averaged over the image's pixels; the mask leaves pixels out
    pixels = image([one_hot([1, 1, 1], 4), one_hot([0, 1, 2], 4)])
    assert score(QBC, pixels) == pytest.approx(math.log(3) / 2)
    assert score(QBC, pixels, torch.tensor([[True, False]])) == \
        pytest.approx(0)
    assert score(QBC, pixels, torch.tensor([[False, True]])) == \
        pytest.approx(math.log(3))


def test_consensus_kl_known_answers():
    assert score(KL, image([torch.tensor([[0.3, 0.7]] * 3)])) == \
        pytest.approx(0, abs=1e-6)
    # two one-hot members that disagree: KL to (1/2, 1/2) is log 2 each
    two = dict(type='ConsensusKL', members=2)
    assert score(two, image([one_hot([0, 1], 2)])) == pytest.approx(
        math.log(2), rel=1e-5)
    # by hand: mean_m sum_c p_m log(p_m / consensus)
    probs = torch.tensor([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])
    consensus = probs.mean(0).tolist()
    by_hand = sum(
        sum(p * math.log(p / q) for p, q in zip(row, consensus))
        for row in probs.tolist()) / 3
    assert score(KL, image([probs])) == pytest.approx(by_hand, rel=1e-5)


@pytest.mark.parametrize('query', ['TOD', 'COD'])
def test_output_discrepancy_known_answers(query):
    cfg = dict(type=query)
    same = torch.tensor([[0.2, 0.8]] * 2)
    assert score(cfg, image([same])) == pytest.approx(0, abs=1e-6)
    # one-hot outputs that moved to another class: (1 + 1) / 2
    assert score(cfg, image([one_hot([0, 2], 3)])) == pytest.approx(1)
    # ||p - q||^2 / 2 by hand
    moved = torch.tensor([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]])
    assert score(cfg, image([moved])) == pytest.approx(
        (0.3**2 + 0.2**2 + 0.1**2) / 2, rel=1e-5)
    # pixels averaged
    assert score(cfg, image([same, one_hot([0, 1], 2)])) == pytest.approx(
        0.5, rel=1e-5)


def test_classifier_outputs_are_one_pixel_images():
    query = QUERIES.build(dict(type='ConsensusKL', members=2))
    probs = one_hot([0, 1], 2)
    value = query.score_sample(
        dict(
            seg_logits=dict(data=logits_of(probs[0])[:, None, None]),
            member_probs=probs[1:, :, None, None]))
    assert value == pytest.approx(math.log(2), rel=1e-5)


def test_what_each_query_asks_the_run_to_keep():

    def build(**cfg):
        return QUERIES.build(cfg)

    assert build(type='VoteEntropy').committee == dict(seeds=2)
    assert build(
        type='ConsensusKL', members=4, committee='snapshots',
        interval=50).committee == dict(
            snapshots=3, interval=50)
    assert build(
        type='TOD', interval=20).committee == dict(
            snapshots=1, interval=20)
    assert build(type='TOD').committee == dict(snapshots=1, interval=None)
    assert build(type='COD').committee == dict(previous_cycle=True)
    for q in (build(type='VoteEntropy',
                    members=5), build(type='TOD'), build(type='COD')):
        assert isinstance(q, MemberQuery)
    assert build(type='VoteEntropy', members=5).num_members == 4
    assert build(type='COD').num_members == 1


@pytest.mark.parametrize('cfg, message', [
    (dict(type='VoteEntropy', members=1), 'members must be at least 2'),
    (dict(type='ConsensusKL', committee='bagging'), "got 'bagging'"),
    (dict(type='VoteEntropy', committee='snapshots',
          interval=0), 'interval must be positive'),
    (dict(type='TOD', interval=-3), 'interval must be positive'),
])
def test_bad_settings_are_refused(cfg, message):
    with pytest.raises(ValueError, match=message):
        QUERIES.build(cfg)


def test_a_sample_without_members_is_an_error():
    query = QUERIES.build(dict(type='TOD'))
    with pytest.raises(RuntimeError, match='member_probs'):
        query.score_sample(dict(seg_logits=dict(data=torch.zeros(3, 1, 1))))

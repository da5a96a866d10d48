"""TypiClust and ProbCover on small synthetic point sets with known answers
(blobs around orthogonal directions: they stay blobs on the unit sphere the
pickers normalise to), and ProbCover's greedy against a pair-by-pair
oracle."""
import math

import numpy as np
import pytest

from pt4al_seg.registry import PICKERS
from pt4al_seg.strategies import Candidates
from pt4al_seg.strategies.pickers import (prob_cover_pick, purity_delta,
                                          typicality)
from pt4al_seg.strategies.pickers.base import unit_rows
from pt4al_seg.strategies.pickers.prob_cover import balls
from ..oracles import naive_max_coverage


def blobs(sizes, dim=6, noise=0.03, seed=0):
    """Blob b: its centre (the unit vector e_b) itself, then size-1 points
    around it. Returns the points and each point's blob."""
    rng = np.random.default_rng(seed)
    pts, which = [], []
    for b, size in enumerate(sizes):
        centre = np.eye(dim)[b]
        pts += [centre
                ] + list(centre + noise * rng.standard_normal((size - 1, dim)))
        which += [b] * size
    return np.array(pts, np.float32), np.array(which)


def pick(cfg, feats, k, labelled=None, num_classes=None):
    ids = [f'{i:03d}' for i in range(len(feats))]
    cand = Candidates(
        ids=ids,
        features=feats,
        labelled_features=labelled,
        num_classes=num_classes)
    chosen, scores = PICKERS.build(cfg)(cand, k)
    return [ids.index(i) for i in chosen], scores


def most_typical(feats, knn):
    """The blob's most typical point by hand: inverse mean distance to its
    knn nearest others, pair by pair."""
    best, best_typ = None, -1.0
    for i, x in enumerate(feats):
        dists = sorted(math.dist(x, y) for j, y in enumerate(feats) if j != i)
        typ = 1 / (sum(dists[:knn]) / knn + 1e-5)
        if typ > best_typ:
            best, best_typ = i, typ
    return best


def test_typicality_known_answer():
    typ = typicality(np.array([[0.0], [1.0], [3.0]]), knn=1)
    assert typ == pytest.approx(
        [1 / (1 + 1e-5), 1 / (1 + 1e-5), 1 / (2 + 1e-5)])


def test_typiclust_picks_the_most_typical_point_of_each_blob():
    feats, which = blobs([30, 20, 12])
    picked, scores = pick(dict(type='TypiClust'), feats, 3)
    # largest blob first (none is labelled), one per blob
    assert list(which[picked]) == [0, 1, 2]
    unit = unit_rows(feats)
    for b, p in zip(range(3), picked):
        members = np.flatnonzero(which == b)
        knn = min(20, len(members) // 2)
        assert p == members[most_typical(unit[members], knn)]
    assert len(scores) == len(feats)


def test_typiclust_visits_uncovered_blobs_first():
    """One labelled image in blob 0 (the largest): K = 1 + 3 = 4 clusters,
    and the three picks go to the blobs with none labelled."""
    feats, which = blobs([30, 20, 15, 12])
    labelled = feats[[1]]
    picked, _ = pick(dict(type='TypiClust'), feats, 3, labelled=labelled)
    assert sorted(which[picked]) == [1, 2, 3]
    # more picks than clusters: round-robin, the largest blob again
    picked, _ = pick(dict(type='TypiClust'), feats, 5, labelled=labelled)
    assert len(set(picked)) == 5


def test_prob_cover_covers_every_blob_before_a_second_point_in_any():
    feats, which = blobs([25, 15, 10, 6])
    labelled = feats[[30]]  # a point of blob 1: its ball covers blob 1
    picked, degree = pick(
        dict(type='ProbCover', delta=0.3), feats, 6, labelled=labelled)
    # biggest uncovered ball first: blobs 0, 2, 3; then at random
    assert list(which[picked[:3]]) == [0, 2, 3]
    assert len(set(picked)) == 6
    # scores: uncovered ball size, plus how tight the ball is (< 1)
    assert int(degree['000']) == 25 and 0 < degree['000'] % 1 < 1
    assert int(degree['030']) == 0  # covered by the labelled ball


def test_prob_cover_scores_do_not_tie_when_balls_hold_one_point():
    """A δ below every pairwise distance (balls of one, as the purity rule
    gives on spread-out features): each score is 1 + a fraction from the
    mean distance d to the 5 nearest points, 0.999 / (1 + d / δ), by
    hand."""
    rng = np.random.default_rng(0)
    feats = unit_rows(rng.standard_normal((12, 5)))
    _, scores = pick(dict(type='ProbCover', delta=0.01), feats, 2)
    values = [scores[f'{i:03d}'] for i in range(12)]
    assert len(set(values)) == 12
    d = np.linalg.norm(feats[:, None] - feats[None], axis=2)
    np.fill_diagonal(d, np.inf)
    for i, v in enumerate(values):
        near = np.sort(d[i])[:5].mean()
        assert v == pytest.approx(1 + 0.999 / (1 + near / 0.01))
        assert 1 < v < 1.4995


def test_prob_cover_equals_the_pair_by_pair_greedy():
    rng = np.random.default_rng(3)
    pts = rng.standard_normal((80, 4)).astype(np.float32)
    unit = unit_rows(pts)
    for delta, num_labelled, k in ((0.5, 0, 10), (0.7, 5, 8), (0.9, 12, 6)):
        picked, _ = prob_cover_pick(balls(unit, delta), num_labelled, k)
        oracle = naive_max_coverage(unit.tolist(), num_labelled, delta, k)
        assert picked[:len(oracle)] == oracle


def test_purity_rule_on_separated_blobs():
    """Four blobs, four clusters: every ball is pure until δ reaches the
    distance between blobs (sqrt 2 on the unit sphere): 1.4 of the grid."""
    feats, _ = blobs([20, 20, 20, 20], noise=0.001)
    assert purity_delta(unit_rows(feats), 4) == pytest.approx(1.4)
    # and the picker uses it when no delta is given
    picker = PICKERS.build(dict(type='ProbCover'))
    picker(
        Candidates(
            ids=[str(i) for i in range(80)], features=feats, num_classes=4), 2)
    assert picker.used_delta == pytest.approx(1.4)
    # two balls of 20 cover half of the 80 points
    assert picker.describe() == ('δ = 1.4 (purity rule), 50.0 % of the 80 '
                                 'points covered')


def test_bad_settings():
    with pytest.raises(ValueError, match='delta must be positive'):
        PICKERS.build(dict(type='ProbCover', delta=0))
    with pytest.raises(ValueError, match='cannot pick 5'):
        pick(dict(type='ProbCover', delta=0.3), blobs([4])[0], 5)

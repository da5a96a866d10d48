import numpy as np
import pytest
import torch

from pt4al_seg.registry import PICKERS
from pt4al_seg.strategies import (Candidates, ClassBalanced, EveryNth,
                                  KCenterGreedy, TopK, class_balanced,
                                  every_nth, kcenter_greedy, top_k)
from ..oracles import naive_class_rounds, naive_farthest_first


def test_top_k_ties_break_by_id():
    scores = {'c': 0.5, 'a': 0.5, 'b': 0.9, 'd': 0.1}
    assert top_k(scores, 2) == ['b', 'a']
    assert top_k(scores, 3) == ['b', 'a', 'c']
    with pytest.raises(ValueError):
        top_k(scores, 5)
    assert TopK()(Candidates(ids=list(scores), scores=scores),
                  2) == (['b', 'a'], None)


def test_class_balanced_takes_turns():
    scores = {'a': .9, 'b': .8, 'c': .7, 'd': .6, 'e': .5, 'f': .4}
    classes = {'a': 1, 'b': 1, 'c': 1, 'd': 2, 'e': 3, 'f': 3}
    assert class_balanced(scores, classes, 3) == ['a', 'd', 'e']
    assert class_balanced(scores, classes, 5) == ['a', 'd', 'e', 'b', 'f']
    assert class_balanced(scores, classes, 6)[-1] == 'c'
    with pytest.raises(ValueError):
        class_balanced(scores, classes, 7)
    got = ClassBalanced()(Candidates(
        ids=list(scores), scores=scores, classes=classes), 3)
    assert got == (['a', 'd', 'e'], None)


def test_kcenter_greedy_on_points():
    labelled = np.array([[0.0, 0.0]])
    cand = np.array([[1.0, 0.0], [10.0, 0.0], [9.0, 0.0], [0.0, 5.0]])
    picked, dist = kcenter_greedy(cand, labelled, 2)
    assert picked == [
        1, 3
    ]  # farthest first, then farthest from {labelled, picked}
    assert np.allclose(dist, [1, 10, 9, 5])
    picked, dist = kcenter_greedy(cand, np.zeros((0, 2)), 2)
    assert picked[0] == 0 and np.isinf(
        dist).all()  # nothing labelled: first, then farthest
    assert picked[1] == 1
    chosen, scores = KCenterGreedy()(Candidates(
        ids=list('wxyz'),
        features=cand,
        labelled=['l'],
        labelled_features=labelled), 2)
    assert chosen == ['x', 'z'] and scores == pytest.approx(
        dict(w=1, x=10, y=9, z=5))


def test_kcenter_greedy_equals_farthest_first_on_random_features():
    rng = np.random.default_rng(0)
    cand, labelled = rng.normal(size=(60, 8)), rng.normal(size=(7, 8))
    picked, dist = kcenter_greedy(cand, labelled, 12)
    assert picked == naive_farthest_first(cand, labelled, 12)
    assert np.allclose(
        dist, [min(np.linalg.norm(x - c) for c in labelled) for x in cand])
    assert kcenter_greedy(cand, labelled[:0],
                          12)[0] == naive_farthest_first(cand, [], 12)


def test_kcenter_greedy_ties_of_duplicates_as_farthest_first():
    """Duplicate features (among candidates, and of labelled images) are
    exactly 0 apart and tie exactly, as pair-by-pair distances do, whatever
    the norms' rounding: float32 features far from the origin, every
    candidate picked, so the last picks are all ties at distance 0."""
    rng = np.random.default_rng(2)
    base = (rng.normal(size=(30, 16)) + 40).astype(np.float32)
    cand = np.concatenate([base, base[::3], base[:4], base[7:8]])
    labelled = np.concatenate(
        [base[5:7], (rng.normal(size=(3, 16)) + 40).astype(np.float32)])
    n = len(cand)
    picked, dist = kcenter_greedy(cand, labelled, n)
    assert picked == naive_farthest_first(cand.tolist(), labelled.tolist(), n)
    # base[5] and base[6] are labelled; cand[32] is base[6] again
    assert dist[5] == dist[6] == dist[32] == 0 and (dist[:5] > 0).all()
    assert kcenter_greedy(cand, labelled[:0],
                          n)[0] == naive_farthest_first(cand.tolist(), [], n)


def test_class_balanced_equals_class_rounds_on_random_scores():
    rng = np.random.default_rng(1)
    ids = [f'{i:03d}' for i in range(40)]
    scores = {i: float(rng.integers(0, 5)) for i in ids}  # many ties
    classes = {i: int(rng.integers(1, 5)) for i in ids}
    for k in (1, 7, 23, 40):
        assert class_balanced(scores, classes,
                              k) == naive_class_rounds(scores, classes, k)


def test_every_nth_spacing():
    ids = [str(i) for i in range(10)]
    assert every_nth(ids, 3) == ['0', '3', '6']
    assert every_nth(ids, 10) == ids
    assert every_nth(ids, 1) == ['0']
    with pytest.raises(ValueError):
        every_nth(ids, 11)
    with pytest.raises(ValueError):
        every_nth(ids, 0)
    assert EveryNth()(Candidates(ids=ids), 2) == (['0', '5'], None)


def test_pickers_declare_what_they_need():
    assert PICKERS.build(dict(type='TopK')).needs == ('score', )
    assert ClassBalanced.needs == ('score', 'class')
    assert KCenterGreedy.needs == ('feature', 'labelled_feature')
    assert EveryNth.needs == ()


def test_top_k_equals_a_plain_sort_on_random_scores_with_ties():
    rng = np.random.default_rng(2)
    ids = [f'x{i}' for i in rng.permutation(500)]  # 'x10' < 'x9'
    scores = dict(zip(ids, rng.choice([0.0, -0.0, 0.25, 1e-9], 500).tolist()))
    for k in (1, 17, 500):
        assert top_k(scores, k) == sorted(
            scores, key=lambda i: (-scores[i], i))[:k]


def test_kcenter_greedy_exact_ties_on_a_lattice_as_farthest_first():
    """Integer lattice points far from the origin: many pairs at exactly the
    same (nonzero) distance, which rounding of the norms must not reorder."""
    rng = np.random.default_rng(3)
    points = rng.integers(0, 4, size=(70, 6)) + 1000.0
    cand, labelled = points[:60], points[60:]
    picked, _ = kcenter_greedy(cand, labelled, 60)
    assert picked == naive_farthest_first(cand.tolist(), labelled.tolist(), 60)


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason='compares the GPU with the CPU')
def test_kcenter_greedy_on_the_gpu_picks_what_the_cpu_picks():
    rng = np.random.default_rng(4)
    cand, labelled = rng.normal(size=(500, 64)), rng.normal(size=(50, 64))
    points = rng.integers(0, 4, size=(70, 6)) + 1000.0  # exact ties
    for c, lab in ((cand, labelled), (points[:60], points[60:])):
        on_gpu = kcenter_greedy(c, lab, 40, device='cuda')
        on_cpu = kcenter_greedy(c, lab, 40, device='cpu')
        assert on_gpu[0] == on_cpu[0]
        assert np.allclose(on_gpu[1], on_cpu[1])


def test_kcenter_greedy_refuses_features_that_are_not_finite():
    """A NaN would compare false with every distance and make the greedy pick
    the same candidate again and again."""
    cand, labelled = np.zeros((4, 2)), np.ones((2, 2))
    cand[2, 1] = np.nan
    with pytest.raises(ValueError, match='1 candidates have features'):
        kcenter_greedy(cand, labelled, 2)
    labelled[0, 0] = np.inf
    with pytest.raises(ValueError, match='1 labelled have features'):
        kcenter_greedy(np.zeros((4, 2)), labelled, 2)

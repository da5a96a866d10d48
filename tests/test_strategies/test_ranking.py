import numpy as np
import pytest

from pt4al_seg.strategies.ranking import rank_into_batches


def test_numeric_not_string_order():
    # sorted as strings, '9.9e-05' > '0.5' > '1.2e+01'; numerically 12 > 0.5 >
    # 9.9e-05
    losses = {
        'a': float('9.9e-05'),
        'b': 0.5,
        'c': float('1.2e+01'),
        'd': 3.0,
        'e': 1e-7
    }
    batches = rank_into_batches(losses, 2)
    assert batches == [['c', 'd', 'b'], ['a', 'e']]
    assert rank_into_batches(
        losses, 2, descending=False) == [['e', 'a', 'b'], ['d', 'c']]


@pytest.mark.parametrize('n,k', [(10, 3), (7, 7), (100, 10), (11, 4)])
def test_batches_cover_disjoint_near_equal(n, k):
    losses = {f'i{j}': (j * 7919) % 101 / 7 for j in range(n)}
    batches = rank_into_batches(losses, k)
    flat = [x for b in batches for x in b]
    assert sorted(flat) == sorted(losses) and len(flat) == n
    sizes = [len(b) for b in batches]
    assert max(sizes) - min(sizes) <= 1
    values = [losses[x] for x in flat]
    assert values == sorted(values, reverse=True)


def test_ties_broken_by_id_and_errors():
    assert rank_into_batches({
        'b': 1.0,
        'a': 1.0,
        'c': 1.0
    }, 1) == [['a', 'b', 'c']]
    with pytest.raises(ValueError):
        rank_into_batches({'a': 1.0}, 2)
    with pytest.raises(ValueError):
        rank_into_batches({'a': 1.0}, 0)


@pytest.mark.parametrize('descending', [True, False])
def test_equals_a_plain_sort_on_random_losses_with_ties(descending):
    """The NumPy ranking orders as Python's sort by (loss, id) does: ids of
    different lengths ('i10' < 'i9' as strings), a few loss values shared by
    many images, negative zero equal to zero."""
    rng = np.random.default_rng(0)
    ids = [f'i{j}' for j in rng.permutation(1000)]
    values = rng.choice([0.5, -0.0, 0.0, 1e-7, 3.25, 1e300], size=1000)
    losses = dict(zip(ids, values.tolist()))
    sign = -1 if descending else 1
    expected = sorted(losses, key=lambda i: (sign * losses[i], i))
    for k in (1, 3, 7):
        batches = rank_into_batches(losses, k, descending)
        assert [i for b in batches for i in b] == expected
        assert [len(b) for b in batches
                ] == [len(b) for b in np.array_split(np.arange(1000), k)]

"""Sequential GCN: the authors' adjacency by hand, the GCN learning which
nodes are labelled, UncertainGCN's margin rule and CoreGCN's k-center on the
GCN's features (farthest-first oracle)."""
import numpy as np
import pytest
import torch

from pt4al_seg.strategies import Candidates
from pt4al_seg.strategies.pickers import gcn
from ..oracles import naive_farthest_first


def test_adjacency_by_hand():
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    # cosine similarities off the diagonal: (0,1) 0, (0,2) 0.6, (1,2) 0.8;
    # column sums 0.6, 0.8, 1.4
    expected = torch.tensor([[1.0, 0.0, 0.6 / 1.4], [0.0, 1.0, 0.8 / 1.4],
                             [0.6 / 0.6, 0.8 / 0.8, 1.0]])
    assert torch.allclose(gcn.cosine_adjacency(x), expected)


def two_blobs(n=12, seed=0):
    """Blob A around e0 (labelled: its first half), blob B around e1."""
    rng = np.random.default_rng(seed)
    a = np.eye(4)[0] + 0.05 * rng.standard_normal((n, 4))
    b = np.eye(4)[1] + 0.05 * rng.standard_normal((n, 4))
    return a, b


def test_gcn_learns_which_nodes_look_labelled():
    a, b = two_blobs()
    feats = np.concatenate([a[6:], b, a[:6]])  # candidates, then labelled
    labelled = np.arange(len(feats)) >= 18
    prob, hidden = gcn.train_gcn(feats, labelled, seed=0)
    assert hidden.shape == (24, 129)
    # unlabelled images like the labelled ones score above the others
    assert prob[:6].min() > prob[6:18].max()
    again, _ = gcn.train_gcn(feats, labelled, seed=0)
    assert np.array_equal(prob, again)  # seeded


def fake_graph(monkeypatch, prob, hidden):
    monkeypatch.setattr(
        gcn, 'train_gcn', lambda feats, lab, **kw:
        (np.asarray(prob), np.asarray(hidden)))


def candidates(n, num_labelled=2):
    return Candidates(
        ids=[f'{i:02d}' for i in range(n)],
        features=np.ones((n, 3)),
        labelled=['x', 'y'][:num_labelled],
        labelled_features=np.ones((num_labelled, 3)))


def test_uncertain_gcn_takes_the_nearest_to_the_margin(monkeypatch):
    # 5 candidates then 2 labelled nodes
    fake_graph(monkeypatch, [0.9, 0.12, 0.05, 0.1, 0.3, 1.0, 1.0],
               np.zeros((7, 2)))
    chosen, scores = gcn.UncertainGCN()(candidates(5), 3)
    assert chosen == ['03', '01', '02']  # |p - 0.1| = 0, 0.02, 0.05
    assert scores['04'] == pytest.approx(-0.2)


def test_core_gcn_is_farthest_first_on_the_gcn_features(monkeypatch):
    rng = np.random.default_rng(3)
    hidden = rng.standard_normal((12, 5))  # 10 candidates, 2 labelled
    fake_graph(monkeypatch, np.zeros(12), hidden)
    chosen, _ = gcn.CoreGCN()(candidates(10), 4)
    oracle = naive_farthest_first(hidden[:10].tolist(), hidden[10:].tolist(),
                                  4)
    assert chosen == [f'{i:02d}' for i in oracle]


def test_subset_and_no_labelled_images(monkeypatch):
    fake_graph(monkeypatch, np.linspace(0, 1, 6), np.zeros((6, 2)))
    chosen, scores = gcn.UncertainGCN(subset=4, seed=1)(candidates(9), 2)
    assert len(scores) == 4 and set(chosen) <= set(scores)
    with pytest.raises(ValueError, match='needs labelled images'):
        gcn.CoreGCN()(candidates(9, num_labelled=0), 2)

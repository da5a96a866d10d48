"""BASE: distances to the decision boundaries by hand and by geometry, and
the balanced allocation's known answers."""
import math

import numpy as np
import pytest
import torch

from pt4al_seg.registry import PICKERS
from pt4al_seg.strategies import Candidates
from pt4al_seg.strategies.pickers import base_pick, boundary_distances


def test_distances_by_hand():
    # w = e0, e1, 0; h = (2, 1): z = (2, 1, 0), predicted class 0
    weight = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    dist = boundary_distances(torch.tensor([2.0, 1.0, 0.0]), weight)
    # to the 0|1 boundary |2 - 1| / sqrt(2), to 0|2 2 / 1; class 0: nearest
    assert dist.tolist() == pytest.approx(
        [1 / math.sqrt(2), 1 / math.sqrt(2), 2.0])


def test_distance_is_the_step_onto_the_boundary():
    """h moved by the distance along w_c - w_p ties z_p and z_c."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(6, 4).double()
    h = torch.randn(6, dtype=torch.float64)
    z = layer(h).detach()
    p = int(z.argmax())
    dist = boundary_distances(z, layer.weight.detach())
    for c in range(4):
        if c == p:
            continue
        step = layer.weight[c] - layer.weight[p]
        moved = layer(h + dist[c] * step / step.norm()).detach()
        assert moved[p] == pytest.approx(float(moved[c]), abs=1e-9)
    others = [float(dist[c]) for c in range(4) if c != p]
    assert float(dist[p]) == pytest.approx(min(others))


def test_segmentation_averages_valid_pixels():
    torch.manual_seed(1)
    weight = torch.randn(3, 5)
    logits = torch.randn(3, 2, 2)
    valid = torch.tensor([[True, True], [False, True]])
    pixels = [(0, 0), (0, 1), (1, 1)]
    expected = sum(
        boundary_distances(logits[:, i, j], weight) for i, j in pixels) / 3
    assert boundary_distances(logits, weight, valid).tolist() == \
        pytest.approx(expected.tolist())


def test_balanced_allocation():
    dist = np.array([
        [0.1, 0.5],
        [0.2, 0.1],
        [0.3, 0.2],
        [0.4, 0.9],
        [0.2, 0.3],
    ])
    # k = 3 over 2 classes: class 0 takes 2 (rows 0, then 1 before 4 by
    # index), class 1 one of the rest (row 2)
    assert base_pick(dist, 3) == [0, 1, 2]
    assert base_pick(dist, 1) == [0]  # the remainder goes to class 0
    assert sorted(base_pick(dist, 5)) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match='cannot pick 6 images from 5'):
        base_pick(dist, 6)


def test_base_picker():
    dist = np.array([[0.3, 0.2], [0.1, 0.4], [0.5, 0.6], [0.2, 0.05]])
    ids = ['a', 'b', 'c', 'd']
    chosen, scores = PICKERS.build(dict(type='BASE'))(Candidates(
        ids=ids, boundary_distances=dist), 2)
    assert chosen == ['b', 'd']
    assert scores == pytest.approx(dict(a=-0.2, b=-0.1, c=-0.5, d=-0.05))

"""BADGE: the gradient embedding against its definition by hand (and against
autograd), k-means++ seeding's known answers on separable embeddings."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pt4al_seg.registry import PICKERS
from pt4al_seg.strategies import Candidates
from pt4al_seg.strategies.pickers import gradient_embedding, kmeanspp_seeding


def test_embedding_classifier_by_hand():
    # logits (0, 0, log 2): p = (1/4, 1/4, 1/2), predicted class 2
    emb = gradient_embedding(
        torch.tensor([1.0, -2.0]), torch.tensor([0.0, 0.0, np.log(2)]))
    resid = [-0.25, -0.25, 0.5]
    assert emb.tolist() == pytest.approx(
        [r * h for r in resid for h in (1.0, -2.0)])


def test_embedding_is_minus_the_weight_gradient():
    """Of the cross-entropy under the predicted label, with respect to a
    linear layer's weights (classifier) and a 1x1 convolution's (pixel
    mean)."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(5, 4)
    h = torch.randn(5)
    logits = layer(h)
    F.cross_entropy(logits[None], logits.argmax()[None]).backward()
    assert gradient_embedding(h, logits.detach()).tolist() == pytest.approx(
        (-layer.weight.grad).flatten().tolist(), abs=1e-6)
    conv = torch.nn.Conv2d(5, 4, 1)
    h = torch.randn(1, 5, 3, 2)
    logits = conv(h)
    F.cross_entropy(logits, logits.argmax(1)).backward()  # mean over pixels
    emb = gradient_embedding(h[0], logits[0].detach())
    assert emb.tolist() == pytest.approx(
        (-conv.weight.grad).flatten().tolist(), abs=1e-6)


def test_embedding_mask_keeps_only_valid_pixels():
    torch.manual_seed(1)
    feat, logits = torch.randn(3, 2, 2), torch.randn(4, 2, 2)
    valid = torch.tensor([[True, False], [False, True]])
    expected = (gradient_embedding(feat[:, 0, 0], logits[:, 0, 0]) +
                gradient_embedding(feat[:, 1, 1], logits[:, 1, 1])) / 2
    assert gradient_embedding(feat, logits, valid).tolist() == pytest.approx(
        expected.tolist(), abs=1e-6)
    # a confident, correct-looking pixel contributes (almost) nothing
    sure = torch.tensor([[20.0], [0.0]]).expand(2, 3)[..., None]
    assert gradient_embedding(torch.ones(3, 3, 1), sure).abs().max() < 1e-6


def separable(num=4, per=6, seed=0):
    """``num`` tight clusters of ``per`` points around 10 x e_c."""
    rng = np.random.default_rng(seed)
    pts = [
        10 * np.eye(num)[c] + 0.01 * rng.standard_normal((per, num))
        for c in range(num)
    ]
    return np.concatenate(pts), np.repeat(np.arange(num), per)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_seeding_picks_one_per_cluster(seed):
    x, cluster = separable()
    picked = kmeanspp_seeding(x, 4, seed)
    assert sorted(cluster[picked]) == [0, 1, 2, 3]


def test_seeding_starts_at_the_longest_row_and_is_seeded():
    x, _ = separable()
    x[13] *= 1.5
    assert kmeanspp_seeding(x, 3, 0)[0] == 13
    assert kmeanspp_seeding(x, 6, 7) == kmeanspp_seeding(x, 6, 7)
    picked = kmeanspp_seeding(x, len(x), 0)
    assert sorted(picked) == list(range(len(x)))  # every row, none twice


def test_seeding_duplicates_and_too_many():
    x = np.zeros((4, 3))
    x[0] = 1.0
    # the second is drawn among the zeros (all 1 away); then every weight
    # is 0: the lowest unchosen in turn
    picked = kmeanspp_seeding(x, 4, 0)
    assert picked[0] == 0 and sorted(picked) == [0, 1, 2, 3]
    assert picked[2:] == sorted(picked[2:])
    with pytest.raises(ValueError, match='cannot pick 5 images from 4'):
        kmeanspp_seeding(x, 5, 0)


def test_badge_picker():
    x, cluster = separable()
    ids = [f'{i:02d}' for i in range(len(x))]
    chosen, scores = PICKERS.build(dict(type='BADGE', seed=3))(Candidates(
        ids=ids, gradient_embeddings=x), 4)
    assert sorted(cluster[[ids.index(i) for i in chosen]]) == [0, 1, 2, 3]
    assert scores['05'] == pytest.approx(float(np.linalg.norm(x[5])))
    assert PICKERS.get('BADGE').needs == ('gradient_embedding', )

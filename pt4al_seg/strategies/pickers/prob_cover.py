from typing import List, Optional, Tuple

import numpy as np

from ...registry import PICKERS
from .base import BasePicker, check_k, unit_rows
from .typiclust import cluster

#: The δ the purity rule tries, on unit-norm features (distances in [0, 2]).
DELTAS = tuple(np.round(np.arange(0.05, 1.501, 0.05), 2))


def balls(feats: np.ndarray,
          delta: float,
          distances: bool = False) -> List[np.ndarray]:
    """Each point's δ-ball: the indices within Euclidean distance < ``delta``
    (itself included), by scikit-learn's radius search; with ``distances``
    ``(indices, distances)`` pairs."""
    from sklearn.neighbors import NearestNeighbors
    nn = NearestNeighbors(radius=delta).fit(feats)
    out = nn.radius_neighbors(feats, return_distance=True)
    # radius_neighbors counts distance <= delta; ProbCover's edges are < delta
    if distances:
        return [(i[d < delta], d[d < delta]) for d, i in zip(*out)]
    return [i[d < delta] for d, i in zip(*out)]


def purity_delta(feats: np.ndarray,
                 num_clusters: int,
                 alpha: float = 0.95,
                 seed: int = 0,
                 deltas=DELTAS) -> float:
    """ProbCover's δ (Yehuda et al., 2022, Sec. 4): k-means with
    ``num_clusters`` clusters (the number of classes) as pseudo-labels, and
    the largest δ of ``deltas`` whose balls are pure (every point of a ball in
    its centre's cluster) for at least ``alpha`` of the points; the smallest δ
    when none is."""
    labels = cluster(feats, num_clusters, seed)
    best = deltas[0]
    for delta in deltas:
        pure = np.mean([(labels[b] == labels[i]).all()
                        for i, b in enumerate(balls(feats, delta))])
        if pure >= alpha:
            best = delta
    return float(best)


def prob_cover_pick(ball: List[np.ndarray],
                    num_labelled: int,
                    k: int,
                    seed: int = 0) -> tuple:
    """ProbCover's greedy max coverage over points ``0..num_labelled-1``
    (labelled: their balls are covered from the start) and the candidates:
    ``k`` times the candidate whose ball holds the most points not yet covered
    (ties: the lower index), whose ball is then covered. Once everything is
    covered the rest are picked at random (seeded), as the paper says.

    Returns:
        tuple: ``(picked, degree)``: candidate indices (0-based among the
        candidates) in pick order, and each candidate's uncovered ball size
        before picking.
    """
    n = len(ball) - num_labelled
    check_k(k, n)
    covered = np.zeros(len(ball), bool)
    for i in range(num_labelled):
        covered[ball[i]] = True
    degree = np.array([(~covered[b]).sum() for b in ball[num_labelled:]])
    initial = degree.copy()
    # who covers each point: to update degrees when it becomes covered
    covers: List[List[int]] = [[] for _ in ball]
    for j in range(n):
        for i in ball[num_labelled + j]:
            covers[i].append(j)
    free = np.ones(n, bool)
    picked: List[int] = []
    while len(picked) < k and degree[free].max(initial=0) > 0:
        j = int(np.flatnonzero(free)[np.argmax(degree[free])])
        picked.append(j)
        free[j] = False
        for i in ball[num_labelled + j]:
            if not covered[i]:
                covered[i] = True
                degree[covers[i]] -= 1
    rest = np.flatnonzero(free)
    rng = np.random.default_rng(seed)
    picked += [int(i) for i in rng.permutation(rest)[:k - len(picked)]]
    return picked, initial


def tightness(ball: list, num_labelled: int, delta: float,
              feats: np.ndarray) -> np.ndarray:
    """Per candidate, ``0.999 / (1 + d / δ)`` in (0, 0.999]: ``d`` the mean
    distance to the other points of its ball, or, for a ball of one, the
    mean distance to its 5 nearest other points (beyond δ: below 0.4995,
    under every ball with company; five, because two points that are each
    other's nearest would tie on one). Tighter is larger."""
    from sklearn.neighbors import NearestNeighbors
    out = np.zeros(len(ball) - num_labelled)
    alone = []
    for j, (idx, dist) in enumerate(ball[num_labelled:]):
        others = dist[idx != num_labelled + j]
        if len(others):
            out[j] = others.mean()
        else:
            alone.append(j)
    if alone and len(feats) > 1:
        rows = feats[[num_labelled + j for j in alone]]
        nn = NearestNeighbors(n_neighbors=min(6, len(feats))).fit(feats)
        out[alone] = nn.kneighbors(rows)[0][:, 1:].mean(1)
    return 0.999 / (1 + out / delta)


@PICKERS.register_module()
class ProbCover(BasePicker):
    """ProbCover (Yehuda et al., NeurIPS 2022): greedy max coverage of δ-balls
    on the L2-normalised features of the labelled images and the candidates
    (:func:`prob_cover_pick`). A candidate's score (``scores.csv``, for
    reading; the pick is the greedy's) is how many uncovered points its ball
    holds before picking, plus a fraction for how tight that ball is
    (:func:`tightness`: from the mean distance to its other points, or to
    the nearest 5 points for a ball of one), so scores do not tie where δ is
    small and most balls hold one point.

    Args:
        delta (float, optional): The ball radius. Defaults to None: chosen by
            the paper's purity rule (:func:`purity_delta`) with as many k-means
            clusters as the dataset has classes.
        alpha (float): Purity the rule asks for. Defaults to 0.95.
        seed (int): k-means and fallback seed. Defaults to 0.
    """

    needs = ('feature', 'labelled_feature')

    def __init__(self,
                 delta: Optional[float] = None,
                 alpha: float = 0.95,
                 seed: int = 0):
        if delta is not None and not 0 < float(delta):
            raise ValueError(f'delta must be positive, got {delta}')
        self.delta, self.alpha, self.seed = delta, alpha, seed
        self.used_delta: Optional[float] = None
        self.covered: Optional[Tuple[int, int]] = None

    def __call__(self, candidates, k):
        lab = candidates.labelled_features
        num_labelled = 0 if lab is None else len(lab)
        feats = unit_rows(lab, candidates.features)
        delta = self.delta
        if delta is None:
            delta = purity_delta(feats, candidates.num_classes or 2,
                                 self.alpha, self.seed)
        self.used_delta = delta
        ball = balls(feats, delta, distances=True)
        picked, degree = prob_cover_pick([b[0] for b in ball], num_labelled, k,
                                         self.seed)
        covered = np.zeros(len(feats), bool)
        for i in [*range(num_labelled), *(num_labelled + j for j in picked)]:
            covered[ball[i][0]] = True
        self.covered = (int(covered.sum()), len(feats))
        return [candidates.ids[i] for i in picked], dict(
            zip(candidates.ids,
                degree + tightness(ball, num_labelled, delta, feats)))

    def describe(self) -> str:
        """δ (and whether the purity rule chose it) and the share of the
        labelled and candidate points inside a labelled or picked ball: the
        paper's coverage."""
        if self.covered is None:
            return ''
        rule = ' (purity rule)' if self.delta is None else ''
        return (f'δ = {self.used_delta:g}{rule}, '
                f'{100 * self.covered[0] / self.covered[1]:.1f} % of the '
                f'{self.covered[1]} points covered')

from typing import List

import numpy as np

from ...registry import PICKERS
from .base import BasePicker, check_k, unit_rows


def typicality(feats: np.ndarray, knn: int) -> np.ndarray:
    """``1 / (mean Euclidean distance to the knn nearest other points +
    1e-5)`` per row (TypiClust's Eq. 1; the authors' code takes squared
    distances). Exact neighbours by scikit-learn."""
    from sklearn.neighbors import NearestNeighbors
    if len(feats) < 2 or knn < 1:
        return np.ones(len(feats))
    knn = min(knn, len(feats) - 1)
    dist, _ = NearestNeighbors(n_neighbors=knn).fit(feats).kneighbors()
    # kneighbors() without X leaves each point out of its own neighbours
    return 1.0 / (dist.mean(1) + 1e-5)


def cluster(feats: np.ndarray, num_clusters: int, seed: int) -> np.ndarray:
    """k-means labels as the authors' code computes them: scikit-learn's
    ``KMeans`` for up to 50 clusters, ``MiniBatchKMeans`` (batches of 5,000)
    beyond; seeded."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    if num_clusters <= 50:
        km = KMeans(n_clusters=num_clusters, n_init=10, random_state=seed)
    else:
        km = MiniBatchKMeans(
            n_clusters=num_clusters,
            batch_size=5000,
            n_init=3,
            random_state=seed)
    return km.fit_predict(feats)


def typiclust_pick(labels: np.ndarray,
                   feats: np.ndarray,
                   num_labelled: int,
                   k: int,
                   knn: int = 20,
                   min_cluster_size: int = 5) -> tuple:
    """TypiClust's selection (Hacohen et al., 2022, Alg. 1, as the authors'
    code runs it) over points ``0..num_labelled-1`` (labelled) and the rest
    (candidates).

    Clusters larger than ``min_cluster_size`` (labelled points counted) are
    visited round-robin, those with the fewest labelled points first, ties to
    the larger; each visit picks the cluster's most typical point left (its
    typicality among the cluster's points not labelled or picked, with
    ``min(knn, their number // 2)`` neighbours). Clusters with nothing left
    are passed over; when every such cluster is spent the small ones join.

    Returns:
        tuple: ``(picked, typicality)``: candidate indices (0-based among the
        candidates) in pick order, and each candidate's typicality in its
        cluster before picking.
    """
    n = len(labels) - num_labelled
    check_k(k, n)
    free = np.ones(len(labels), bool)
    free[:num_labelled] = False
    ids, sizes = np.unique(labels, return_counts=True)
    have = np.array([(labels[:num_labelled] == c).sum() for c in ids])
    order = sorted(range(len(ids)), key=lambda j: (have[j], -sizes[j]))
    big = [ids[j] for j in order if sizes[j] > min_cluster_size]
    small = [ids[j] for j in order if sizes[j] <= min_cluster_size]
    members = {c: np.flatnonzero(labels == c) for c in ids}
    initial = np.zeros(len(labels))
    for c in ids:
        m = members[c][free[members[c]]]
        initial[m] = typicality(feats[m], min(knn, len(m) // 2))
    left = {c: int(free[members[c]].sum()) for c in ids}
    picked: List[int] = []
    for visit in (big, big + small):
        turn = 0
        while len(picked) < k and any(left[c] for c in visit):
            c = visit[turn % len(visit)]
            turn += 1
            if not left[c]:
                continue
            m = members[c][free[members[c]]]
            typ = typicality(feats[m], min(knn, len(m) // 2))
            best = int(m[np.argmax(typ)])
            picked.append(best - num_labelled)
            free[best] = False
            left[c] -= 1
    return picked, initial[num_labelled:]


@PICKERS.register_module()
class TypiClust(BasePicker):
    """TypiClust (Hacohen et al., ICML 2022): k-means on the L2-normalised
    features of the labelled images and the candidates, K = labelled +
    budget (at most ``max_clusters``), then the most typical candidate of
    each least-covered, largest cluster in turn (:func:`typiclust_pick`). A
    candidate's score (``scores.csv``) is its typicality in its cluster.

    Args:
        max_clusters (int): Cap on K. Defaults to 500 (the authors').
        knn (int): Neighbours of typicality. Defaults to 20.
        min_cluster_size (int): Clusters this small are visited last.
            Defaults to 5.
        seed (int): k-means seed. Defaults to 0.
    """

    needs = ('feature', 'labelled_feature')

    def __init__(self,
                 max_clusters: int = 500,
                 knn: int = 20,
                 min_cluster_size: int = 5,
                 seed: int = 0):
        self.max_clusters, self.knn = max_clusters, knn
        self.min_cluster_size, self.seed = min_cluster_size, seed

    def __call__(self, candidates, k):
        lab = candidates.labelled_features
        num_labelled = 0 if lab is None else len(lab)
        feats = unit_rows(lab, candidates.features)
        labels = cluster(feats,
                         min(num_labelled + k, self.max_clusters, len(feats)),
                         self.seed)
        picked, typ = typiclust_pick(labels, feats, num_labelled, k, self.knn,
                                     self.min_cluster_size)
        return [candidates.ids[i]
                for i in picked], dict(zip(candidates.ids, typ))

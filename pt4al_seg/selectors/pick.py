"""Turn per-image scores (or features) into the chosen ids."""
from typing import Dict, List

import numpy as np


def top_k(scores: Dict[str, float], k: int) -> List[str]:
    """The ``k`` highest-scoring ids, ties broken by id so that the choice is reproducible.

    Args:
        scores (dict): Image id to score (higher = picked first).
        k (int): How many to pick.

    Returns:
        list: The chosen ids, highest score first.
    """
    if k > len(scores):
        raise ValueError(f'cannot pick {k} images from {len(scores)} scored ones')
    return sorted(scores, key=lambda i: (-scores[i], i))[:k]


def class_balanced(scores: Dict[str, float], classes: Dict[str, int], k: int) -> List[str]:
    """Equal picks per class: classes take turns (in class order), each giving its most
    uncertain image not yet picked; a class that runs out drops out of the rotation.

    Args:
        scores (dict): Image id to score (higher = more uncertain).
        classes (dict): Image id to its (predicted) class.
        k (int): How many to pick.

    Returns:
        list: The chosen ids, in the order they were picked.
    """
    if k > len(scores):
        raise ValueError(f'cannot pick {k} images from {len(scores)} scored ones')
    queues = {}
    for img_id in sorted(scores, key=lambda i: (-scores[i], i)):
        queues.setdefault(classes[img_id], []).append(img_id)
    picked: List[str] = []
    while len(picked) < k:  # one round: every class with images left gives one
        for cls in sorted(queues):
            if queues[cls] and len(picked) < k:
                picked.append(queues[cls].pop(0))
    return picked


def kcenter_greedy(candidates: np.ndarray, labelled: np.ndarray, k: int) -> tuple:
    """Core-Set's k-center greedy (Sener & Savarese, 2018) on feature vectors.

    Repeatedly picks the candidate farthest (Euclidean) from the labelled set and the
    candidates picked so far; ties go to the lower index.

    Args:
        candidates (np.ndarray): (N, D) features of the unlabelled candidates.
        labelled (np.ndarray): (M, D) features of the labelled images (M may be 0).
        k (int): How many to pick.

    Returns:
        tuple: ``(indices, min_dist)``: the picked candidate indices in pick order, and
        each candidate's distance to the labelled set before picking (its score; inf when
        nothing is labelled).
    """
    if k > len(candidates):
        raise ValueError(f'cannot pick {k} images from {len(candidates)} candidates')
    cand = np.asarray(candidates, np.float64)
    if len(labelled):
        lab = np.asarray(labelled, np.float64)
        d2 = (cand ** 2).sum(1)[:, None] - 2 * cand @ lab.T + (lab ** 2).sum(1)[None]
        min_dist = np.sqrt(np.clip(d2, 0, None).min(1))
    else:
        min_dist = np.full(len(cand), np.inf)
    initial = min_dist.copy()
    picked: List[int] = []
    for _ in range(k):
        i = int(np.argmax(min_dist))
        picked.append(i)
        min_dist = np.minimum(min_dist, np.sqrt(((cand - cand[i]) ** 2).sum(1)))
        min_dist[picked] = -1.0
    return picked, initial


__all__ = ['top_k', 'class_balanced', 'kcenter_greedy']

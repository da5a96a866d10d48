"""Reference answers written independently of the code under test: the
methods as their papers state them, one pair or one image at a time."""
import math
from typing import Dict, List, Sequence


def naive_farthest_first(candidates: Sequence[Sequence[float]],
                         labelled: Sequence[Sequence[float]],
                         k: int) -> List[int]:
    """k-center greedy (Sener & Savarese, 2018, Alg. 1): k times, the
    candidate whose nearest centre (labelled or picked) is farthest; the
    first such candidate on ties."""
    centres = [list(x) for x in labelled]
    picked: List[int] = []
    for _ in range(k):
        best, best_dist = None, -1.0
        for i, x in enumerate(candidates):
            if i in picked:
                continue
            dist = min((math.dist(x, c) for c in centres), default=math.inf)
            if dist > best_dist:
                best, best_dist = i, dist
        picked.append(best)
        centres.append(list(candidates[best]))
    return picked


def naive_class_rounds(scores: Dict[str, float], classes: Dict[str, int],
                       k: int) -> List[str]:
    """Rounds over the classes in ascending order; in each, a class with
    images left gives its highest-scored one (ties: the smaller id)."""
    left = dict(scores)
    picked: List[str] = []
    while len(picked) < k:
        for cls in sorted(set(classes.values())):
            mine = [i for i in left if classes[i] == cls]
            if mine and len(picked) < k:
                best = max(mine, key=lambda i: (left[i], [-ord(c) for c in i]))
                picked.append(best)
                del left[best]
    return picked


def naive_ranking_loss(pred: Sequence[float], target: Sequence[float],
                       margin: float) -> float:
    """Learning Loss (Yoo & Kweon, 2019, Eq. 2): the batch split in halves,
    image i paired with image i + B/2; per pair max(0, -sign(l_i - l_j) *
    (p_i - p_j) + margin), averaged over the pairs."""
    half = len(pred) // 2
    total = 0.0
    for i in range(half):
        j = i + half
        sign = 1.0 if target[i] > target[j] else -1.0
        total += max(0.0, -sign * (pred[i] - pred[j]) + margin)
    return total / half

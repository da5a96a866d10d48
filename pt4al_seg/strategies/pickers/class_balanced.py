from collections import deque
from typing import Deque, Dict, List

from ...registry import PICKERS
from ...utils.order import ids_by_score
from .base import BasePicker, check_k


def class_balanced(scores: Dict[str, float], classes: Dict[str, int],
                   k: int) -> List[str]:
    """Equal picks per class: classes take turns (in class order), each giving
    its most uncertain image not yet picked; a class that runs out drops out of
    the rotation.

    Args:
        scores (dict): Image id to score (higher = more uncertain).
        classes (dict): Image id to its (predicted) class.
        k (int): How many to pick.

    Returns:
        list: The chosen ids, in the order they were picked.
    """
    check_k(k, len(scores))
    queues: Dict[int, Deque[str]] = {}
    for img_id in ids_by_score(scores):
        queues.setdefault(classes[img_id], deque()).append(img_id)
    picked: List[str] = []
    turns = deque(sorted(queues))  # the classes with images left, in order
    while len(picked) < k:  # each class gives one, then waits for its turn
        cls = turns.popleft()
        picked.append(queues[cls].popleft())
        if queues[cls]:
            turns.append(cls)
    return picked


@PICKERS.register_module()
class ClassBalanced(BasePicker):
    """Classes take turns giving their most uncertain candidate. An image's
    class is its classifier argmax, or for segmentation the class predicted on
    most of its pixels (the background class not counted when the dataset's
    class 0 is named ``background``)."""

    needs = ('score', 'class')

    def __call__(self, candidates, k):
        return class_balanced(candidates.scores, candidates.classes, k), None

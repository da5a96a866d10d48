"""The one order every ranking and pick rule uses: by score, ties by id."""
from typing import Dict, List

import numpy as np


def ids_by_score(scores: Dict[str, float],
                 descending: bool = True) -> List[str]:
    """The ids of ``scores`` by score (highest first unless ``descending`` is
    False), ties broken by id: what ``sorted(scores, key=lambda i: (-s[i],
    i))`` gives, in NumPy's sort (a million ids in about a second)."""
    if not scores:
        return []
    ids = np.array(list(scores))
    values = np.fromiter(scores.values(), np.float64, len(ids))
    # np.lexsort sorts by its last key first
    return ids[np.lexsort((ids, -values if descending else values))].tolist()

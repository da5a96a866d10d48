"""Unlabelled images in a training batch: strategies that train on them
(MCDAL's discrepancy, VAAL's adversary) get them beside the labelled ones,
marked in their samples' metainfo (``UnlabelledBatchHook`` adds them)."""
from typing import List, Tuple

#: metainfo key of the unlabelled samples added to a batch
UNLABELLED = 'unlabelled'


def split_unlabelled(data_samples: List) -> Tuple[List[int], List[int]]:
    """Indices of the labelled and of the unlabelled samples of a batch."""
    unl = [
        i for i, s in enumerate(data_samples)
        if s.metainfo.get(UNLABELLED, False)
    ]
    return [i for i in range(len(data_samples)) if i not in unl], unl

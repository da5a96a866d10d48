"""What every picker shares: the collected outputs it picks from and its
interface."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

#: What a picker may declare in ``needs`` (the scoring pass collects exactly
#: these).
NEEDS = ('score', 'class', 'feature', 'labelled_feature', 'gradient_embedding',
         'boundary_distance')


@dataclass
class Candidates:
    """What a cycle's one scoring pass collected for its picker.

    Args:
        ids (list): The candidate ids (a PT4AL batch, or the unlabelled pool),
            in order.
        scores (dict, optional): Id to the query's score (``'score'``).
        classes (dict, optional): Id to the predicted class (``'class'``).
        features (np.ndarray, optional): (N, D) pooled features, rows as
            ``ids`` (``'feature'``).
        labelled (list): Ids labelled before this cycle.
        labelled_features (np.ndarray, optional): (M, D) their features
            (``'labelled_feature'``).
        num_classes (int, optional): The dataset's number of classes.
        gradient_embeddings (np.ndarray, optional): (N, C * D) gradient
            embeddings of the last layer, rows as ``ids``
            (``'gradient_embedding'``).
        boundary_distances (np.ndarray, optional): (N, C) distances to each
            class's decision boundary (``'boundary_distance'``).
    """
    ids: List[str]
    scores: Optional[Dict[str, float]] = None
    classes: Optional[Dict[str, int]] = None
    features: Optional[np.ndarray] = None
    labelled: List[str] = field(default_factory=list)
    labelled_features: Optional[np.ndarray] = None
    num_classes: Optional[int] = None
    gradient_embeddings: Optional[np.ndarray] = None
    boundary_distances: Optional[np.ndarray] = None


class BasePicker:
    """Chooses ``k`` of the candidates from what the scoring pass collected.

    ``needs`` declares what that is (a subset of :data:`NEEDS`): the runner
    runs one scoring pass with the previous cycle's model that collects exactly
    that, and none when the picker needs nothing a model gives.
    """

    needs: Tuple[str, ...] = ('score', )

    def __call__(self, candidates: Candidates,
                 k: int) -> Tuple[List[str], Optional[Dict[str, float]]]:
        """Returns the chosen ids (in pick order) and, for pickers that compute
        their own per-candidate score (e.g. a distance), that score for
        ``scores.csv``; None keeps the query's scores."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the last pick settled on its own, for the run's log (e.g.
        ProbCover's δ and coverage); empty when nothing."""
        return ''


def unit_rows(*parts: np.ndarray) -> np.ndarray:
    """The rows of ``parts`` stacked, each scaled to unit L2 norm (float32; a
    zero row stays zero), as the TypiClust/ProbCover authors' code uses its
    self-supervised features."""
    parts = [np.asarray(p, np.float32) for p in parts if p is not None]
    dim = next(p.shape[1] for p in parts if p.ndim == 2)
    x = np.concatenate([p.reshape(-1, dim) for p in parts])
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, 1e-12)


def compute_device() -> str:
    """Where pickers compute on features: the GPU when there is one (as
    mmengine's Runners train there), else the CPU."""
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def check_k(k: int, n: int) -> None:
    if k > n:
        raise ValueError(f'cannot pick {k} images from {n} candidates')

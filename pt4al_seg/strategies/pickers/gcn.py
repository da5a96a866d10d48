"""Sequential GCN (Caramalau et al., CVPR 2021): a graph convolutional network
over the labelled images and the candidates learns which are labelled;
UncertainGCN and CoreGCN pick from what it learned."""
import math
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ...registry import PICKERS
from .base import BasePicker, check_k, compute_device, unit_rows
from .k_center import kcenter_greedy


def cosine_adjacency(feats: torch.Tensor) -> torch.Tensor:
    """The authors' ``aff_to_adj`` on L2-normalised rows: cosine similarities
    without the self-similarity, each column divided by its sum, plus the
    identity: ``A_ij = (S_ij - [i = j]) / d_j + [i = j]``, ``d_j = sum_i S_ij
    - 1``."""
    eye = torch.eye(len(feats), dtype=feats.dtype, device=feats.device)
    sim = feats @ feats.T - eye
    return sim / sim.sum(0, keepdim=True) + eye


class GCN(nn.Module):
    """The authors' GCN as it runs: a graph convolution to ``hidden`` channels,
    ReLU, dropout, a graph convolution to one channel, sigmoid (Kipf & Welling
    layers: ``A (X W) + b``, weights and biases uniform in ±1/sqrt(out)).
    Returns each node's probability of being labelled and, as the code's
    third output, its hidden features with the last layer's output appended
    (``hidden + 1`` values)."""

    def __init__(self, in_dim: int, hidden: int = 128, dropout: float = 0.3):
        super().__init__()
        self.dropout = dropout
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for i, o in ((in_dim, hidden), (hidden, 1)):
            bound = 1 / math.sqrt(o)
            self.weights.append(
                nn.Parameter(torch.empty(i, o).uniform_(-bound, bound)))
            self.biases.append(
                nn.Parameter(torch.empty(o).uniform_(-bound, bound)))

    def forward(self, x: torch.Tensor,
                adj: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(adj @ (x @ self.weights[0]) + self.biases[0])
        feat = F.dropout(h, self.dropout, training=self.training)
        out = adj @ (feat @ self.weights[1]) + self.biases[1]
        return torch.sigmoid(out).squeeze(1), torch.cat((feat, out), 1)


def train_gcn(feats: np.ndarray,
              labelled: np.ndarray,
              hidden: int = 128,
              dropout: float = 0.3,
              epochs: int = 200,
              lr: float = 1e-3,
              weight_decay: float = 5e-4,
              unlabelled_weight: float = 1.2,
              seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Train a fresh :class:`GCN` full-batch, as the authors' code: Adam,
    ``epochs`` steps of ``-mean log s(labelled) - unlabelled_weight x mean
    log(1 - s(unlabelled))``, on the graph of :func:`cosine_adjacency` of
    the L2-normalised ``feats``; seeded (the global generator is left as it
    was). Float32, on the GPU when there is one.

    Args:
        feats (np.ndarray): (N, D) node features.
        labelled (np.ndarray): (N,) bool, True for labelled nodes.

    Returns:
        tuple: each node's probability of being labelled (N,) and its
        features for CoreGCN (N, hidden + 1: the hidden layer's and the last
        layer's output, as the authors'), in eval mode.
    """
    device = compute_device()
    x = torch.as_tensor(unit_rows(feats), device=device)
    adj = cosine_adjacency(x)
    lab = torch.as_tensor(labelled, device=device)
    devices = [torch.cuda.current_device()] if device == 'cuda' else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        model = GCN(x.shape[1], hidden, dropout).to(device)
        opt = torch.optim.Adam(
            model.parameters(), lr=lr, weight_decay=weight_decay)
        model.train()
        for _ in range(epochs):
            opt.zero_grad()
            prob, _ = model(x, adj)
            loss = -torch.log(prob[lab]).mean() - unlabelled_weight * \
                torch.log(1 - prob[~lab]).mean()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        prob, feat = model(x, adj)
    return prob.double().cpu().numpy(), feat.double().cpu().numpy()


class _GCNPicker(BasePicker):
    """The graph of :func:`train_gcn` over the labelled images and at most
    ``subset`` candidates (a seeded random subset beyond that, as the
    authors' 10,000); subclasses pick from its outputs.

    Args:
        subset (int): Most candidates in the graph. Defaults to 10000.
        hidden (int): GCN hidden channels. Defaults to 128.
        dropout (float): Defaults to 0.3.
        epochs (int): Full-batch Adam steps. Defaults to 200.
        lr (float): Defaults to 1e-3.
        weight_decay (float): Defaults to 5e-4.
        unlabelled_weight (float): λ of the unlabelled term. Defaults to 1.2.
        seed (int): Seeds the subset and the GCN. Defaults to 0.
    """

    needs = ('feature', 'labelled_feature')
    #: cycle 0 has no labelled image to learn from
    needs_labelled = True

    def __init__(self,
                 subset: int = 10000,
                 hidden: int = 128,
                 dropout: float = 0.3,
                 epochs: int = 200,
                 lr: float = 1e-3,
                 weight_decay: float = 5e-4,
                 unlabelled_weight: float = 1.2,
                 seed: int = 0):
        self.subset, self.seed = subset, seed
        self.gcn = dict(
            hidden=hidden,
            dropout=dropout,
            epochs=epochs,
            lr=lr,
            weight_decay=weight_decay,
            unlabelled_weight=unlabelled_weight,
            seed=seed)

    def _graph(self, candidates) -> tuple:
        """The subset's candidate indices, then the GCN's probabilities and
        hidden features of the subset and of the labelled images."""
        lab = candidates.labelled_features
        if lab is None or not len(lab):
            raise ValueError(f'{type(self).__name__} needs labelled images '
                             '(cycle 0 has none)')
        n = len(candidates.ids)
        rows = np.arange(n)
        if n > self.subset:
            rows = np.sort(
                np.random.default_rng(self.seed).choice(
                    n, self.subset, replace=False))
        feats = np.concatenate(
            [np.asarray(candidates.features)[rows],
             np.asarray(lab)])
        is_lab = np.arange(len(feats)) >= len(rows)
        prob, hidden = train_gcn(feats, is_lab, **self.gcn)
        return rows, prob[~is_lab], hidden[~is_lab], hidden[is_lab]


@PICKERS.register_module()
class UncertainGCN(_GCNPicker):
    """UncertainGCN: the candidates whose probability of being labelled is
    nearest ``margin`` (the authors' ``s_margin``; ties to the lower index).
    A candidate's score (``scores.csv``, the subset's) is ``-|p -
    margin|``.

    Args:
        margin (float): Defaults to 0.1.
        **kwargs: See :class:`_GCNPicker`.
    """

    def __init__(self, margin: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.margin = margin

    def __call__(self, candidates, k):
        rows, prob, _, _ = self._graph(candidates)
        check_k(k, len(rows))
        score = -np.abs(prob - self.margin)
        order = np.argsort(-score, kind='stable')[:k]
        ids = [candidates.ids[i] for i in rows]
        return [ids[i] for i in order], dict(zip(ids, score.tolist()))


@PICKERS.register_module()
class CoreGCN(_GCNPicker):
    """CoreGCN: Core-Set's k-center greedy (:func:`kcenter_greedy`) on the
    GCN's features (hidden layer and output, as the authors' code), the
    labelled images the first centres. A
    candidate's score (``scores.csv``, the subset's) is its distance to the
    labelled set there.

    Args:
        **kwargs: See :class:`_GCNPicker`.
    """

    def __call__(self, candidates, k):
        rows, _, cand, lab = self._graph(candidates)
        picked, dist = kcenter_greedy(cand, lab, k)
        ids: List[str] = [candidates.ids[i] for i in rows]
        return [ids[i] for i in picked], dict(zip(ids, dist.tolist()))

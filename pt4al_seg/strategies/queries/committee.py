"""Queries that compare the scoring model with other models of the run, its
*members*: a query-by-committee (Seung et al., 1992) of independently seeded
trainings or of snapshots of one training, and the output discrepancy of TOD
and COD (Huang et al., 2021). :class:`~pt4al_seg.engine.hooks.CommitteeHook`
keeps the members (``committee`` says which);
:class:`~pt4al_seg.engine.score_loop.ScoreLoop` attaches each image's
``member_probs`` (M-1, C, H, W), its members' softmax maps, which follow the
scoring model's own in the stack the scores read."""
from typing import Optional

import torch
from torch import Tensor

from ...registry import QUERIES
from .base import StackedQuery, sample_logits

COMMITTEES = ('seeds', 'snapshots')


class MemberQuery(StackedQuery):
    """A query on the probabilities of the scoring model (first) and its
    members.

    Args:
        committee (dict): What :class:`CommitteeHook` keeps: ``seeds`` (extra
            trainings, each with its own seed), ``snapshots`` and
            ``interval`` (the weights k x ``interval`` iterations before the
            end of training, k = 1..``snapshots``; None: a tenth of the
            training's iterations), ``previous_cycle`` (the model of the cycle
            before the scoring model's; for cycle 0's model, the weights its
            training started from).
    """

    def __init__(self, committee: dict):
        self.committee = committee

    @property
    def al_hooks(self) -> list:
        """What the run adds for this query: the hook keeping the members."""
        return [dict(type='CommitteeHook', **self.committee)]

    @property
    def num_members(self) -> int:
        """Members besides the scoring model."""
        c = self.committee
        return c.get('seeds', 0) + c.get('snapshots', 0) + int(
            c.get('previous_cycle', False))

    def score_sample(self, sample, valid: Optional[Tensor] = None) -> float:
        if 'member_probs' not in sample:
            raise RuntimeError(
                f'{type(self).__name__} compares the scoring model with the '
                'members ScoreLoop attaches (member_probs); this sample has '
                'none')
        own = sample_logits(sample).float().softmax(dim=0)
        probs = torch.cat([own[None], sample['member_probs'].to(own)])
        return self(probs[:, None],
                    None if valid is None else valid[None]).item()


class CommitteeQuery(MemberQuery):
    """Query-by-committee over M models: the scoring model and M-1 members.

    Args:
        members (int): M, the committee's size, the scoring model included.
            Defaults to 3.
        committee (str): ``'seeds'``: M-1 more trainings of each cycle's model
            on the same labelled images, each with its own seed (the run's
            seed + k) — M x the training cost; ``'snapshots'``: the weights of
            the cycle's one training ``interval`` x k iterations before its
            end, k = 1..M-1 (no extra training). Defaults to 'seeds'.
        interval (int, optional): Iterations between snapshots. Defaults to
            None (a tenth of the training's iterations).
    """

    def __init__(self,
                 members: int = 3,
                 committee: str = 'seeds',
                 interval: Optional[int] = None):
        if int(members) < 2:
            raise ValueError(f'members must be at least 2, got {members}')
        if committee not in COMMITTEES:
            raise ValueError(f'committee must be one of {COMMITTEES}, got '
                             f'{committee!r}')
        if interval is not None and int(interval) < 1:
            raise ValueError(f'interval must be positive, got {interval}')
        spec = dict(seeds=int(members) - 1) if committee == 'seeds' else dict(
            snapshots=int(members) - 1, interval=interval)
        super().__init__(spec)


@QUERIES.register_module()
class VoteEntropy(CommitteeQuery):
    """Entropy of the committee's votes per pixel (Dagan and Engelson, 1995):
    ``-sum_c (V_c / M) log (V_c / M)``, V_c the members voting for class c
    (their arg-max): 0 when all agree, ``log min(M, C)`` at most."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        m, _, c = probs.shape[:3]
        votes = probs.argmax(2)
        out = torch.zeros_like(probs[0, :, 0])
        for k in range(c):
            share = (votes == k).sum(0).to(out) / m
            out -= share * share.clamp(min=1e-12).log()
        return out


@QUERIES.register_module()
class ConsensusKL(CommitteeQuery):
    """Mean Kullback-Leibler divergence of the members from their consensus
    per pixel (McCallum and Nigam, 1998): ``mean_m KL(p_m || mean_m p_m)``,
    which is ``H[mean p] - mean H[p]``: 0 when all agree."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        consensus = probs.mean(0, keepdim=True)
        kl = probs * (
            probs.clamp(min=1e-12).log() - consensus.clamp(min=1e-12).log())
        return kl.sum(2).mean(0).clamp(min=0)


class OutputDiscrepancy(MemberQuery):
    """``||p - q||^2 / 2`` per pixel, p the scoring model's softmax and q its
    one member's, as the TOD authors' code computes it (``main_TOD.py``,
    ``get_uncertainty``: squared L2 over classes, halved)."""

    def stack_pixel_scores(self, probs: Tensor) -> Tensor:
        return (probs[0] - probs[1]).pow(2).sum(1) / 2


@QUERIES.register_module()
class TOD(OutputDiscrepancy):
    """Temporal output discrepancy (Huang et al., ICCV 2021): the scoring
    model against its own weights ``interval`` iterations before the end of
    its training.

    Args:
        interval (int, optional): T, in iterations. Defaults to None (a tenth
            of the training's iterations).
    """

    def __init__(self, interval: Optional[int] = None):
        if interval is not None and int(interval) < 1:
            raise ValueError(f'interval must be positive, got {interval}')
        super().__init__(dict(snapshots=1, interval=interval))


@QUERIES.register_module()
class COD(OutputDiscrepancy):
    """Cyclic output discrepancy (Huang et al., TNNLS 2022; the TOD authors'
    code samples with it): the scoring model against the previous cycle's
    final model; cycle 0's model against the weights its training started
    from (the code: an untrained model)."""

    def __init__(self):
        super().__init__(dict(previous_cycle=True))

"""Committee and output-discrepancy strategies end to end on tiny data: the
models each keeps (seeded members, snapshots, the starting weights), and each
candidate's score recomputed here from those checkpoints with mmseg's
inference API and the paper's formula."""
import os
import os.path as osp

import numpy as np
import pytest
import torch

from pt4al_seg.utils import read_ids, read_scores
from ..conftest import check_contract, refusal, run_al
from .test_kill_resume import FAULTS, killed_run


def probs_by_hand(cycle_dir, checkpoint, img_dir, ids):
    """Each image's (C, H, W) softmax under ``checkpoint``, from mmseg's
    inference API with the cycle's config."""
    from mmseg.apis import inference_model, init_model
    model = init_model(
        osp.join(cycle_dir, 'config.py'), checkpoint, device='cpu')
    return {
        i:
        inference_model(model, osp.join(
            img_dir,
            f'{i}.png')).seg_logits.data.softmax(0).numpy().astype(np.float64)
        for i in ids
    }


def consensus_kl(maps):
    """mean_m KL(p_m || mean p) per pixel, averaged over the image."""
    mean = sum(maps) / len(maps)
    return float(
        np.mean(
            sum((p * (np.log(p) - np.log(mean))).sum(0)
                for p in maps) / len(maps)))


def discrepancy(p, q):
    return float(np.mean(((p - q)**2).sum(0) / 2))


def highest(scores, k):
    return sorted(scores, key=lambda i: (-scores[i], i))[:k]


def load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def checkpoint_iter(path):
    return load(path)['meta']['iter']


def check_scores(wd, tiny_scenes, checkpoints, formula, num=4):
    """cycle_01's scores of its first ``num`` candidates = ``formula`` of
    their softmax maps under ``checkpoints`` (the scoring model first)."""
    c0 = str(wd / 'cycle_00')
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    ids = sorted(scores)[:num]
    img_dir = osp.join(tiny_scenes, 'img_dir', 'train')
    maps = [probs_by_hand(c0, ckpt, img_dir, ids) for ckpt in checkpoints]
    for i in ids:
        assert scores[i] == pytest.approx(
            formula(*[m[i] for m in maps]), rel=1e-3, abs=1e-7), i
    assert read_ids(str(wd / 'cycle_01' / 'selected.txt')) == highest(
        scores, 5)
    return scores


def test_seeded_committee(tiny_scenes, tmp_path, monkeypatch):
    """Query-by-committee of 3: two more trainings of cycle 0's model, seeded
    with the run's seed + 1 and + 2, scored beside it (mean KL to the
    consensus); the last cycle's model gets no committee. A run killed while
    member 2 trains resumes to the same scores without training member 1
    again."""
    wd = tmp_path / 'qbc'
    options = ['randomness.seed=7']
    run_al(wd, tiny_scenes, strategy='qbc-kl', options=options)
    c0 = wd / 'cycle_00'
    members = [c0 / 'committee' / f'member_{k}' for k in (1, 2)]
    for k, member in enumerate(members, 1):
        config = open(member / 'config.py').read()
        assert f'randomness = dict(seed={7 + k})' in config
        # trained on the cycle's labelled images
        assert f"'{c0 / 'labelled.txt'}'" in config
    weights = [load(p / 'model.pth')['state_dict'] for p in [c0] + members]
    key = 'decode_head.conv_seg.weight'
    assert not torch.equal(weights[0][key], weights[1][key])
    assert not torch.equal(weights[1][key], weights[2][key])
    assert not (wd / 'cycle_01' / 'committee').exists()
    check_scores(wd, tiny_scenes,
                 [str(p / 'model.pth') for p in [c0] + members],
                 lambda *maps: consensus_kl(maps))
    check_contract(wd, '--pool')

    killed = tmp_path / 'killed'
    killed_run(
        killed,
        tiny_scenes,
        'train:cycle_00_member_2:3',
        monkeypatch,
        strategy='qbc-kl',
        options=options)
    member_1 = killed / 'cycle_00' / 'committee' / 'member_1' / 'model.pth'
    mtime = os.stat(member_1).st_mtime_ns
    assert not (killed / 'cycle_00' / 'committee' / 'member_2' /
                'model.pth').exists()
    run_al(
        killed,
        tiny_scenes,
        '--resume',
        strategy='qbc-kl',
        options=options,
        config=FAULTS)
    assert os.stat(member_1).st_mtime_ns == mtime
    for name in ('cycle_01/scores.csv', 'cycle_01/selected.txt',
                 'summary.csv'):
        assert (killed / name).read_bytes() == (wd / name).read_bytes(), name


def test_tod_and_cod(tiny_scenes, tmp_path):
    """TOD: cycle 0's model against its weights 2 of its 6 iterations before
    the end; COD: against the weights its training started from."""
    wd = tmp_path / 'tod'
    run_al(wd, tiny_scenes, strategy='tod', options=['al.query.interval=2'])
    c0 = wd / 'cycle_00'
    assert checkpoint_iter(c0 / 'snapshot_1.pth') == 4
    assert not (wd / 'cycle_01' / 'snapshot_1.pth').exists()
    scores = check_scores(wd, tiny_scenes,
                          [str(c0 / 'model.pth'),
                           str(c0 / 'snapshot_1.pth')], discrepancy)
    assert max(scores.values()) > 0
    check_contract(wd, '--pool')

    wd = tmp_path / 'cod'
    run_al(wd, tiny_scenes, strategy='cod')
    c0 = wd / 'cycle_00'
    assert checkpoint_iter(c0 / 'snapshot_start.pth') == 0
    check_scores(wd, tiny_scenes,
                 [str(c0 / 'model.pth'),
                  str(c0 / 'snapshot_start.pth')], discrepancy)
    check_contract(wd, '--pool')


@pytest.mark.parametrize(
    'options, snapshots',
    [
        (['al.query.interval=3'], '2 snapshots 3'),
        (['al.query.members=8'], '7 snapshots 1'),  # the default: a tenth, 1
    ])
def test_snapshots_that_do_not_fit_the_schedule_are_refused(
        tiny_scenes, tmp_path, options, snapshots):
    line = refusal(
        tmp_path / 'refused', tiny_scenes, options, strategy='qbc-snapshot')
    assert line == (
        f'train_al.py: error: {snapshots} iterations apart need more than '
        "train_cfg.max_iters=6 iterations: lower the query's interval or its "
        'members')

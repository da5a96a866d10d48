"""Pool strategies and set-choosing picks, end to end on tiny data, each
checked against its selection rule recomputed from the files it wrote."""
import csv

import numpy as np
import pytest

from pt4al_seg.utils import read_column, read_ids, read_scores
from ..conftest import check_contract as check_run
from ..conftest import run_al
from ..oracles import naive_class_rounds, naive_farthest_first


def highest(scores, k):
    """The k highest scores, ties to the smaller id."""
    return sorted(scores, key=lambda i: (-scores[i], i))[:k]


POOL = [
    'al_hooks=[]', 'al.cold_start.query.type=Random',
    'al.cold_start.picker.type=TopK'
]


def test_pool_least_confidence(tiny_scenes, tmp_path):
    wd = tmp_path / 'lc'
    run_al(wd, tiny_scenes, options=POOL)
    assert not (wd / 'pretext').exists()
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    assert set(scores) == set(read_ids(str(wd / 'pool.txt'))) - set(
        sel0)  # the pool
    assert read_ids(str(wd / 'cycle_01' / 'selected.txt')) == highest(
        scores, 5)
    check_run(wd, '--pool')


def test_coreset_kcenter(tiny_scenes, tmp_path):
    wd = tmp_path / 'coreset'
    run_al(wd, tiny_scenes, options=POOL + ['al.picker.type=KCenterGreedy'])
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    data = np.load(wd / 'cycle_01' / 'features.npz')
    ids = [str(i) for i in data['ids']]
    assert ids[:5] == sel0  # labelled first, then the candidates
    cand = ids[5:]
    feats = data['features'].astype(np.float64)
    picked = naive_farthest_first(feats[5:], feats[:5], 5)
    assert read_ids(str(wd / 'cycle_01' /
                        'selected.txt')) == [cand[k] for k in picked]
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    assert np.allclose(
        [scores[i] for i in cand],
        [min(np.linalg.norm(x - c) for c in feats[:5]) for x in feats[5:]])
    check_run(wd, '--pool', '--no-topk')


def test_pt4al_class_balanced(tiny_scenes, tmp_path):
    wd = tmp_path / 'balanced'
    run_al(wd, tiny_scenes, options=['al.picker.type=ClassBalanced'])
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    classes = {
        i: int(c)
        for i, c in read_column(str(wd / 'cycle_01' /
                                    'scores.csv'), 'class').items()
    }
    assert set(classes) == set(scores)
    # each image's class by hand from cycle 0's predictions: the most
    # predicted class other than the background (0), the background only
    # for an image predicted as background everywhere
    from mmseg.apis import inference_model, init_model
    model = init_model(
        str(wd / 'cycle_00' / 'config.py'),
        str(wd / 'cycle_00' / 'model.pth'),
        device='cpu')
    ids = sorted(classes)
    preds = inference_model(
        model, [f'{tiny_scenes}/img_dir/train/{i}.png' for i in ids])
    for i, pred in zip(ids, preds):
        counts = np.bincount(
            pred.pred_sem_seg.data.flatten().numpy(), minlength=11)
        c = classes[i]
        assert c == (int(counts[1:].argmax()) + 1 if counts[1:].any() else 0)
    assert read_ids(str(wd / 'cycle_01' /
                        'selected.txt')) == naive_class_rounds(
                            scores, classes, 5)
    check_run(wd, '--no-topk')


def test_learning_loss_strategy(tiny_scenes, tmp_path):
    wd = tmp_path / 'll'
    run_al(
        wd,
        tiny_scenes,
        options=POOL + [
            'al.query.type=PredictedLoss',
            'model.type=LossPredictionEncoderDecoder',
            'model.loss_prediction.mid_channels=16'
        ])
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    assert len(set(
        scores.values())) > 1  # the module's predictions, not a constant
    assert read_ids(str(wd / 'cycle_01' / 'selected.txt')) == highest(
        scores, 5)
    assert 'LossPredictionEncoderDecoder' in open(wd / 'cycle_01' /
                                                  'config.py').read()
    # the module's ranking accuracy on the test images, per cycle
    rows = list(csv.DictReader(open(wd / 'summary.csv')))
    assert len(rows) == 2
    assert all(0 <= float(r['lpm_rank_acc']) <= 100 for r in rows)
    check_run(wd, '--pool')


@pytest.mark.parametrize('query, upper', [('BALD', np.log(11)),
                                          ('MeanStd', 0.5)])
def test_pool_mc_dropout(tiny_scenes, tmp_path, query, upper):
    """Monte-Carlo dropout queries over the pool: T = 4 passes with the
    decode head's dropout active; the highest scores are picked, every score
    within its range (BALD [0, log C], a probability's deviation [0, 0.5]).
    (VariationRatio shares this path; on this tiny model no arg-max flips, so
    its scores are all 0, which the contract rightly rejects as ties: it is
    covered by the unit tests.)"""
    wd = tmp_path / query
    run_al(
        wd,
        tiny_scenes,
        options=POOL + [f'al.query.type={query}', 'al.query.mc_samples=4'])
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    assert set(scores) == set(read_ids(str(wd / 'pool.txt'))) - set(sel0)
    values = np.array(list(scores.values()))
    assert (values >= 0).all() and (values <= upper).all()
    assert values.max() > 0  # dropout made the samples disagree somewhere
    assert read_ids(str(wd / 'cycle_01' / 'selected.txt')) == highest(
        scores, 5)
    check_run(wd, '--pool')


@pytest.mark.parametrize('picker', ['TypiClust', 'ProbCover'])
def test_cover_pickers(tiny_scenes, tmp_path, picker):
    """TypiClust and ProbCover over the pool on cycle 0's pooled features
    (labelled first in features.npz): 5 distinct candidates; ProbCover's picks
    are the pair-by-pair greedy's (δ = 0.3, about the median distance
    between the tiny model's features) while a ball holds an uncovered
    point."""
    from pt4al_seg.strategies.pickers.base import unit_rows
    from ..oracles import naive_max_coverage
    wd = tmp_path / picker
    delta = ['al.picker.delta=0.3'] if picker == 'ProbCover' else []
    run_al(
        wd, tiny_scenes, options=POOL + [f'al.picker.type={picker}'] + delta)
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    sel1 = read_ids(str(wd / 'cycle_01' / 'selected.txt'))
    data = np.load(wd / 'cycle_01' / 'features.npz')
    ids = [str(i) for i in data['ids']]
    assert ids[:5] == sel0
    assert len(set(sel1)) == 5 and not set(sel1) & set(sel0)
    if picker == 'ProbCover':
        unit = unit_rows(data['features'])
        oracle = naive_max_coverage(unit.tolist(), 5, 0.3, 5)
        assert len(oracle) == 3  # then everything is covered
        assert sel1[:len(oracle)] == [ids[5 + k] for k in oracle]
    check_run(wd, '--pool', '--no-topk')


def test_badge(tiny_scenes, tmp_path):
    """BADGE over the pool: each candidate's gradient embedding equals minus
    the gradient of the cross-entropy under its predicted map with respect to
    conv_seg's weights, recomputed by autograd from cycle 0's checkpoint
    through mmseg's inference API; the first pick is the longest embedding,
    then 4 more distinct candidates."""
    import os.path as osp

    import torch.nn.functional as F
    from mmseg.apis import inference_model, init_model
    wd = tmp_path / 'badge'
    run_al(wd, tiny_scenes, options=POOL + ['al.picker.type=BADGE'])
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    sel1 = read_ids(str(wd / 'cycle_01' / 'selected.txt'))
    data = np.load(wd / 'cycle_01' / 'features.npz')
    ids, emb = [str(i) for i in data['ids']], data['gradient_embeddings']
    assert set(ids) == set(read_ids(str(wd / 'pool.txt'))) - set(sel0)
    model = init_model(
        str(wd / 'cycle_00' / 'config.py'),
        str(wd / 'cycle_00' / 'model.pth'),
        device='cpu')
    conv = model.decode_head.conv_seg
    assert emb.shape[1] == conv.out_channels * conv.in_channels
    captured = {}
    conv.register_forward_hook(
        lambda m, args, out: captured.update(feat=args[0].detach()))
    for row, i in list(enumerate(ids))[:3]:
        inference_model(model,
                        osp.join(tiny_scenes, 'img_dir', 'train', f'{i}.png'))
        conv.zero_grad()
        logits = conv(captured['feat'])
        F.cross_entropy(logits, logits.argmax(1)).backward()
        expected = (-conv.weight.grad).flatten().numpy()
        assert emb[row] == pytest.approx(expected, rel=1e-3, abs=1e-6), i
    assert sel1[0] == ids[int(np.linalg.norm(emb, axis=1).argmax())]
    assert len(set(sel1)) == 5 and not set(sel1) & set(sel0)
    check_run(wd, '--pool', '--no-topk')

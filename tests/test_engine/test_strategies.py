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


def test_pool_least_confidence(tiny_scenes, tmp_path):
    wd = tmp_path / 'lc'
    run_al(wd, tiny_scenes, strategy='lc')
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
    run_al(wd, tiny_scenes, strategy='coreset')
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
    run_al(wd, tiny_scenes, strategy='pt4al-balanced')
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
        strategy='learning-loss',
        options=['al.model.loss_prediction.mid_channels=16'])
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


@pytest.mark.parametrize('query, upper', [('bald', np.log(11)),
                                          ('meanstd', 0.5)])
def test_pool_mc_dropout(tiny_scenes, tmp_path, query, upper):
    """Monte-Carlo dropout queries over the pool: T = 4 passes with the
    decode head's dropout active; the highest scores are picked, every score
    within its range (BALD [0, log C], a probability's deviation [0, 0.5]).
    (VariationRatio shares this path; on this tiny model no arg-max flips, so
    its scores are all 0, which the contract rightly rejects as ties: it is
    covered by the unit tests.)"""
    wd = tmp_path / query
    run_al(wd, tiny_scenes, strategy=query, options=['al.query.mc_samples=4'])
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
    run_al(wd, tiny_scenes, strategy=f'{picker.lower()}-task', options=delta)
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
        log = next(wd.glob('al_*.log')).read_text()
        assert (f'cycle 01: 5 of {len(ids) - 5} candidates picked (ProbCover)'
                f'; δ = 0.3, 100.0 % of the {len(ids)} points covered') in log
    check_run(wd, '--pool', '--no-topk')


def last_layer_run(tiny_scenes, wd, picker, array):
    """A pool run of ``picker`` (a picker of the last layer's outputs): its
    cycle 0 and 1 selections, cycle 1's candidate ids and ``array`` from its
    features.npz, and cycle 0's model through mmseg's inference API, with a
    function giving conv_seg's input and output for an image."""
    import os.path as osp

    from mmseg.apis import inference_model, init_model
    run_al(wd, tiny_scenes, strategy=picker.lower())
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    sel1 = read_ids(str(wd / 'cycle_01' / 'selected.txt'))
    data = np.load(wd / 'cycle_01' / 'features.npz')
    ids = [str(i) for i in data['ids']]
    assert set(ids) == set(read_ids(str(wd / 'pool.txt'))) - set(sel0)
    model = init_model(
        str(wd / 'cycle_00' / 'config.py'),
        str(wd / 'cycle_00' / 'model.pth'),
        device='cpu')
    captured = {}
    model.decode_head.conv_seg.register_forward_hook(
        lambda m, args, out: captured.update(
            feat=args[0].detach(), logits=out.detach()))

    def conv_seg_io(i):
        inference_model(model,
                        osp.join(tiny_scenes, 'img_dir', 'train', f'{i}.png'))
        return captured['feat'], captured['logits']

    return sel0, sel1, ids, data[array], model.decode_head.conv_seg, \
        conv_seg_io


def test_badge(tiny_scenes, tmp_path):
    """BADGE over the pool: each candidate's gradient embedding equals minus
    the gradient of the cross-entropy under its predicted map with respect to
    conv_seg's weights, recomputed by autograd from cycle 0's checkpoint
    through mmseg's inference API; the first pick is the longest embedding,
    then 4 more distinct candidates."""
    import torch.nn.functional as F
    sel0, sel1, ids, emb, conv, conv_seg_io = last_layer_run(
        tiny_scenes, tmp_path / 'badge', 'BADGE', 'gradient_embeddings')
    assert emb.shape[1] == conv.out_channels * conv.in_channels
    for row, i in list(enumerate(ids))[:3]:
        feat, _ = conv_seg_io(i)
        conv.zero_grad()
        logits = conv(feat)
        F.cross_entropy(logits, logits.argmax(1)).backward()
        expected = (-conv.weight.grad).flatten().numpy()
        assert emb[row] == pytest.approx(expected, rel=1e-3, abs=1e-6), i
    assert sel1[0] == ids[int(np.linalg.norm(emb, axis=1).argmax())]
    assert len(set(sel1)) == 5 and not set(sel1) & set(sel0)
    check_run(tmp_path / 'badge', '--pool', '--no-topk')


def pretext_features_by_hand(wd, img_dir, ids):
    """Each image's pooled backbone feature under ``pretext/model.pth`` (the
    demo config's pretext model: the task model's backbone, 1 input
    channel): the backbone's last output averaged."""
    import os.path as osp

    from ..conftest import CONFIG, REPO
    from ..oracles import pretext_by_hand
    return pretext_by_hand(
        osp.join(REPO, CONFIG), str(wd), img_dir, ids,
        lambda model, data: model.backbone(data['inputs'])[-1].mean(
            (2, 3))[0].numpy())


def typiclust_picked_from(wd, feats, pool, cycles=(0, 1), budget=5):
    """Each cycle's selection is TypiClust's pick from the features file
    ``feats`` given the images labelled before, with no scoring pass."""
    from pt4al_seg.strategies import Candidates
    from pt4al_seg.strategies.pickers import TypiClust
    from pt4al_seg.utils import read_features
    labelled = []
    for c in cycles:
        cycle = wd / f'cycle_{c:02d}'
        assert not (cycle / 'candidates.txt').exists()  # no scoring pass
        cand = [i for i in pool if i not in labelled]
        expected, _ = TypiClust()(Candidates(
            ids=cand,
            features=read_features(feats, cand),
            labelled=labelled,
            labelled_features=read_features(feats, labelled)), budget)
        selected = read_ids(str(cycle / 'selected.txt'))
        assert selected == expected
        labelled += selected


def test_pretext_features_and_typiclust_cold_start(tiny_scenes, tmp_path):
    """A pool strategy with the pretext stage but no batches
    (PretextBatchHook(batches=False)):
    pretext/features.npz holds every pool image's pooled feature under the
    pretext model (recomputed by hand), and TypiClust picks from it in cycle
    0 (al.cold_start) and cycle 1 (al.features='pretext') with no scoring
    pass of a task model."""
    import os.path as osp

    from pt4al_seg.utils import read_features
    wd = tmp_path / 'typiclust'
    run_al(wd, tiny_scenes, strategy='typiclust')
    pool = read_ids(str(wd / 'pool.txt'))
    feats = str(wd / 'pretext' / 'features.npz')
    assert [str(i) for i in np.load(feats)['ids']] == pool
    assert not (wd / 'pretext' / 'batches').exists()
    by_hand = pretext_features_by_hand(
        wd, osp.join(tiny_scenes, 'img_dir', 'train'), pool[:3])
    for i, feat in by_hand.items():
        assert read_features(feats, [i])[0] == pytest.approx(
            feat, rel=1e-4, abs=1e-5), i
    typiclust_picked_from(wd, feats, pool)
    check_run(wd, '--pool', '--no-topk')


def test_base(tiny_scenes, tmp_path):
    """BASE over the pool: each candidate's distances to the 11 classes'
    boundaries, recomputed pixel by pixel from cycle 0's checkpoint (mmseg's
    inference API, conv_seg's output and weights), and the picks: class c
    takes the candidate nearest its boundary not taken before (5 picks over
    11 classes: classes 0-4 one each)."""
    sel0, sel1, ids, dist, conv, conv_seg_io = last_layer_run(
        tiny_scenes, tmp_path / 'base', 'BASE', 'boundary_distances')
    assert dist.shape == (len(ids), 11)
    w = conv.weight.detach().double().flatten(1).numpy()
    for row, i in list(enumerate(ids))[:2]:
        z = conv_seg_io(i)[1][0].double().flatten(1).numpy()  # (C, pixels)
        per_pixel = []
        for x in z.T:
            p = int(x.argmax())
            d = [(x[p] - x[c]) /
                 np.linalg.norm(w[p] - w[c]) if c != p else np.inf
                 for c in range(11)]
            d[p] = min(d)
            per_pixel.append(d)
        assert dist[row] == pytest.approx(np.mean(per_pixel, 0), rel=1e-4), i
    expected, taken = [], set()
    for c in range(5):
        best = min((k for k in range(len(ids)) if k not in taken),
                   key=lambda k: (dist[k, c], k))
        expected.append(ids[best])
        taken.add(best)
    assert sel1 == expected
    check_run(tmp_path / 'base', '--pool', '--no-topk')


def test_uncertain_gcn(tiny_scenes, tmp_path):
    """UncertainGCN over the pool on cycle 0's pooled features (labelled
    first in features.npz): the scores are -|p - 0.1| of a GCN trained
    again on those features with the same seed, and the picks the highest;
    as a cold start it is refused (no labelled image to learn from)."""
    from pt4al_seg.strategies.pickers import train_gcn
    from ..conftest import refusal
    wd = tmp_path / 'ugcn'
    run_al(wd, tiny_scenes, strategy='uncertaingcn')
    sel0 = read_ids(str(wd / 'cycle_00' / 'selected.txt'))
    data = np.load(wd / 'cycle_01' / 'features.npz')
    ids, feats = [str(i) for i in data['ids']], data['features']
    assert ids[:5] == sel0
    order = list(range(5, len(ids))) + list(range(5))  # candidates first
    prob, _ = train_gcn(feats[order], np.arange(len(ids)) >= len(ids) - 5)
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    for k, i in enumerate(ids[5:]):
        assert scores[i] == pytest.approx(-abs(prob[k] - 0.1), abs=1e-6), i
    assert read_ids(str(wd / 'cycle_01' / 'selected.txt')) == highest(
        scores, 5)
    check_run(wd, '--pool')
    line = refusal(
        tmp_path / 'cold',
        tiny_scenes, ['al.cold_start.picker.type=UncertainGCN'],
        strategy='uncertaingcn')
    assert line.endswith('al.cold_start: UncertainGCN learns from labelled '
                         'images, and cycle 0 has none')

"""A scoring pass interrupted and resumed from its shards writes what an
uninterrupted pass writes (pt4al_seg/evaluation/score_shards.py)."""
import os

import numpy as np
import pytest
import torch

from pt4al_seg.evaluation import PretextLossMetric, StrategyOutputsMetric
from pt4al_seg.utils import write_ids

IDS = ['c', 'a', 'e', 'b', 'd']  # the pass's order (not sorted)
LOSS = dict(a=0.5, b=1.5, c=2.5, d=3.5, e=4.5)


def sample(img_id):
    return dict(
        img_path=f'/d/{img_id}.png', pretext_loss=torch.tensor(LOSS[img_id]))


def pretext_metric(tmp_path, out):
    ids_file = tmp_path / 'ids.txt'
    write_ids(str(ids_file), IDS)
    return PretextLossMetric(
        img_dir='/d',
        img_suffix='.png',
        out_file=str(tmp_path / out),
        shard_dir=str(tmp_path / 'shards'),
        ids_file=str(ids_file))


def score(metric, ids, batch=2):
    for k in range(0, len(ids), batch):
        metric.process(None, [sample(i) for i in ids[k:k + batch]])


def test_resumed_pass_writes_what_an_uninterrupted_one_does(tmp_path):
    whole = pretext_metric(tmp_path, 'whole.csv')
    score(whole, IDS)
    assert len(os.listdir(tmp_path / 'shards')) == 3  # one per batch
    whole.compute_metrics(list(whole.results))
    assert not (tmp_path / 'shards').exists()  # dropped once written
    expected = (tmp_path / 'whole.csv').read_text()
    assert expected.splitlines() == ['image,loss'
                                     ] + [f'{i},{LOSS[i]}' for i in IDS]

    killed = pretext_metric(tmp_path, 'resumed.csv')
    score(killed, IDS[:2])  # killed after one batch: no compute_metrics
    resumed = pretext_metric(tmp_path, 'resumed.csv')
    score(resumed, IDS[2:])  # only what the shards lack
    resumed.compute_metrics(list(resumed.results))
    assert (tmp_path / 'resumed.csv').read_text() == expected
    assert not (tmp_path / 'shards').exists()


def test_nothing_left_to_score_writes_from_the_shards_alone(tmp_path):
    killed = pretext_metric(tmp_path, 'out.csv')
    score(killed, IDS)
    pretext_metric(tmp_path, 'out.csv').compute_metrics([])
    assert (tmp_path / 'out.csv').read_text().splitlines()[1:] == [
        f'{i},{LOSS[i]}' for i in IDS
    ]


def test_an_image_neither_scored_nor_in_a_shard_is_a_bug(tmp_path):
    killed = pretext_metric(tmp_path, 'out.csv')
    score(killed, IDS[:2])
    resumed = pretext_metric(tmp_path, 'out.csv')
    score(resumed, IDS[3:])  # 'e' is lost
    with pytest.raises(RuntimeError, match='no result for 1 images, e.g. e'):
        resumed.compute_metrics(list(resumed.results))


def test_strategy_outputs_resume_with_classes_and_features(tmp_path):
    ids_file = tmp_path / 'ids.txt'
    write_ids(str(ids_file), IDS)
    logits = {
        i: torch.tensor([[[0.1 * k]], [[0.5]]])
        for k, i in enumerate(sorted(IDS))
    }

    def metric(name):
        return StrategyOutputsMetric(
            img_dir='/d',
            img_suffix='.png',
            query=dict(type='LeastConfidence'),
            image_class=dict(exclude=[]),
            features_file=str(tmp_path / f'{name}.npz'),
            scores_file=str(tmp_path / f'{name}.csv'),
            shard_dir=str(tmp_path / 'shards'),
            ids_file=str(ids_file))

    def run(m, ids):
        for i in ids:
            m.process(None, [
                dict(
                    img_path=f'/d/{i}.png',
                    seg_logits=dict(data=logits[i]),
                    pooled_feat=torch.tensor([float(ord(i)), 1.0]))
            ])

    whole = metric('whole')
    run(whole, IDS)
    whole.compute_metrics(list(whole.results))
    run(metric('resumed'), IDS[:3])
    resumed = metric('resumed')
    run(resumed, IDS[3:])
    resumed.compute_metrics(list(resumed.results))
    assert (tmp_path / 'resumed.csv').read_text() == (tmp_path /
                                                      'whole.csv').read_text()
    a, b = np.load(tmp_path / 'whole.npz'), np.load(tmp_path / 'resumed.npz')
    assert list(a['ids']) == list(b['ids']) == IDS
    assert (a['features'] == b['features']).all()
    assert a['features'][:, 0].tolist() == [float(ord(i)) for i in IDS]


def test_shards_of_an_older_format_are_scored_again(tmp_path):
    """A pass killed under pt4al_seg before the shard format changed left
    (id, loss) rows in unversioned files: they are not read back (no
    pooled feature in them), their images are scored again."""
    import pickle

    from pt4al_seg.evaluation.score_shards import shard_rows
    shards = tmp_path / 'shards'
    shards.mkdir()
    with open(shards / 'abc-rank0-000000.pkl', 'wb') as f:
        pickle.dump([('c', 2.5), ('a', 0.5)], f)
    assert shard_rows(str(shards)) == {}
    metric = pretext_metric(tmp_path, 'out.csv')
    score(metric, IDS)
    metric.compute_metrics(list(metric.results))
    assert (tmp_path / 'out.csv').read_text().splitlines()[1:] == [
        f'{i},{LOSS[i]}' for i in IDS
    ]

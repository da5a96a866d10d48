import cv2
import numpy as np
import pytest
import torch

from pt4al_seg.datasets import image_id
from pt4al_seg.evaluation import (PretextLossMetric, StrategyOutputsMetric,
                                  predicted_class)
from pt4al_seg.utils import read_scores


def seg_sample(path, logits):
    return dict(img_path=path, seg_logits=dict(data=logits))


def test_region_mask_is_resized_and_applied(tmp_path):
    mask = np.zeros((4, 8), np.uint8)
    mask[:, :4] = 255  # only the left half counts
    cv2.imwrite(str(tmp_path / 'mask.png'), mask)
    # left half certain, right half uncertain, at 8x16 (the mask is resized to
    # it)
    logits = torch.zeros(2, 8, 16)
    logits[0, :, :8] = 20.0
    out = tmp_path / 'scores.csv'
    metric = StrategyOutputsMetric(
        '/d',
        '.png',
        query=dict(type='LeastConfidence'),
        region_mask=str(tmp_path / 'mask.png'),
        scores_file=str(out))
    metric.process(None, [seg_sample('/d/a.png', logits)])
    plain = StrategyOutputsMetric(
        '/d', '.png', query=dict(type='LeastConfidence'))
    plain.process(None, [seg_sample('/d/a.png', logits)])
    assert metric.results[0][1] == pytest.approx(0.0, abs=1e-6)
    assert plain.results[0][1] == pytest.approx(0.25, abs=1e-6)
    metric.compute_metrics(metric.results)
    assert read_scores(str(out), 'score') == {'a': metric.results[0][1]}
    with pytest.raises(FileNotFoundError, match='region_mask'):
        StrategyOutputsMetric(
            '/d',
            '.png',
            query=dict(type='LeastConfidence'),
            region_mask=str(tmp_path / 'no.png'))


def test_ids_classification_logits_and_duplicates(tmp_path):
    assert image_id('/d/city/x_leftImg8bit.png', '/d',
                    '_leftImg8bit.png') == 'city/x'
    metric = StrategyOutputsMetric('', None, query=dict(type='Margin'))
    metric.process(None, [
        dict(img_id='train_00001', seg_logits=dict(data=torch.zeros(2, 1, 1)))
    ])
    assert metric.results == [('train_00001', 1.0, None, None, {})]
    losses = PretextLossMetric(img_dir='/d', img_suffix='.png')
    with pytest.raises(RuntimeError, match='scored twice'):
        losses.compute_metrics([('a', 1.0), ('a', 1.0)])
    with pytest.raises(RuntimeError, match='scored twice'):
        metric.compute_metrics([('a', 1.0, None, None, {}),
                                ('a', 1.0, None, None, {})])


def test_class_column_and_predicted_class(tmp_path):
    from pt4al_seg.utils import read_column
    logits = torch.zeros(3, 4, 4)
    logits[0] = 5.0  # background nearly everywhere
    logits[2, 0, 0] = 10.0  # class 2 on one pixel
    assert predicted_class(logits) == 0
    assert predicted_class(logits, exclude=[0]) == 2
    assert predicted_class(
        torch.zeros(3, 2, 2).index_fill_(0, torch.tensor([0]), 1.0),
        exclude=[0]) == 0  # only background predicted
    assert predicted_class(torch.tensor([0.1, 0.9])) == 1
    out = tmp_path / 's.csv'
    metric = StrategyOutputsMetric(
        '/d',
        '.png',
        query=dict(type='LeastConfidence'),
        image_class=dict(exclude=[0]),
        scores_file=str(out))
    metric.process(None, [seg_sample('/d/a.png', logits)])
    metric.compute_metrics(metric.results)
    assert read_column(str(out), 'class') == {'a': '2'}
    assert list(read_scores(str(out), 'score')) == ['a']


def test_features_without_scores(tmp_path):
    """A picker that needs only features (Core-Set) gets an .npz and no
    scores.csv."""
    feats = tmp_path / 'features.npz'
    metric = StrategyOutputsMetric(
        '/d',
        '.png',
        features_file=str(feats),
        scores_file=str(tmp_path / 'scores.csv'))
    metric.process(None, [
        dict(img_path='/d/b.png', pooled_feat=torch.tensor([1.0, 2.0])),
        dict(img_path='/d/a.png', pooled_feat=torch.tensor([3.0, 4.0]))
    ])
    assert metric.compute_metrics(metric.results) == dict(num_images=2)
    data = np.load(feats)
    assert list(data['ids']) == ['b', 'a']
    assert data['features'].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert not (tmp_path / 'scores.csv').exists()
    assert [p.name for p in tmp_path.iterdir()] == ['features.npz'
                                                    ]  # no temp file left


def test_model_free_query_with_a_class_picker(tmp_path):
    """Random scores (from ids) beside predicted classes (from the model)."""
    from pt4al_seg.strategies import Random
    from pt4al_seg.utils import read_column
    out = tmp_path / 's.csv'
    metric = StrategyOutputsMetric(
        '/d',
        '.png',
        query=dict(type='Random', seed=3),
        image_class=dict(exclude=[]),
        scores_file=str(out))
    logits = torch.zeros(3, 2, 2)
    logits[1] = 1.0
    metric.process(
        None, [seg_sample('/d/a.png', logits),
               seg_sample('/d/b.png', logits)])
    metric.compute_metrics(metric.results)
    assert read_scores(str(out), 'score') == dict(
        zip('ab',
            Random(seed=3).score_ids(['a', 'b'])))
    assert read_column(str(out), 'class') == {'a': '1', 'b': '1'}


def test_padded_images_of_mixed_sizes_score_only_their_own_pixels(tmp_path):
    """Images of three sizes, each padded by mmseg's data preprocessor to a
    multiple of 16 (``test_cfg=dict(size_divisor=16)``; mixed sizes are scored
    one per batch, README "Image sizes"), scored as a scoring pass does (score
    pipeline, ``test_step``, the metric): each score equals least confidence
    computed by hand on the model's logits of the image's own pixels (the
    top-left h x w of the padded input), not on the padding."""
    from mmengine.config import Config
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.evaluator import Evaluator
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from ..conftest import CONFIG, REPO
    init_default_scope('mmseg')
    cfg = Config.fromfile(f'{REPO}/{CONFIG}')
    cfg.model.data_preprocessor.test_cfg = dict(size_divisor=16)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():  # confident and varied pixels, not ~1/11 each
        model.decode_head.conv_seg.weight.mul_(100)
    rng = np.random.default_rng(0)
    sizes = {'a': (32, 32), 'b': (20, 28), 'c': (24, 12)}  # (h, w)
    out = tmp_path / 'scores.csv'
    evaluator = Evaluator(
        dict(
            type='StrategyOutputsMetric',
            img_dir=str(tmp_path),
            img_suffix='.png',
            query=dict(type='LeastConfidence'),
            scores_file=str(out)))
    pipeline, by_hand = Compose(cfg.score_pipeline), {}
    for name, (h, w) in sizes.items():
        path = str(tmp_path / f'{name}.png')
        cv2.imwrite(path, rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        batch = pseudo_collate([pipeline(dict(img_path=path, seg_fields=[]))])
        with torch.no_grad():
            evaluator.process(model.test_step(batch), batch)
            data = model.data_preprocessor(batch, False)
            assert tuple(data['inputs'].shape[-2:]) == (-(-h // 16) * 16,
                                                        -(-w // 16) * 16)
            probs = model.encode_decode(
                data['inputs'],
                [s.metainfo for s in data['data_samples']])[0].softmax(0)
        by_hand[name] = 1 - probs[:, :h, :w].max(0).values.mean().item()
        if (h, w) != (32, 32):  # the padding would change the score
            assert abs(1 - probs.max(0).values.mean().item() -
                       by_hand[name]) > 1e-3
    evaluator.evaluate(len(sizes))
    scores = read_scores(str(out), 'score')
    assert scores == pytest.approx(by_hand, rel=1e-5)

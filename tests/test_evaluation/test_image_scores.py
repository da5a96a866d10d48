import cv2
import numpy as np
import pytest
import torch

from pt4al_seg.evaluation import PretextLossMetric, UncertaintyScoreMetric, image_id
from pt4al_seg.utils import read_scores


def seg_sample(path, logits):
    return dict(img_path=path, seg_logits=dict(data=logits))


def test_region_mask_is_resized_and_applied(tmp_path):
    mask = np.zeros((4, 8), np.uint8)
    mask[:, :4] = 255  # only the left half counts
    cv2.imwrite(str(tmp_path / 'mask.png'), mask)
    # left half certain, right half uncertain, at 8x16 (the mask is resized to it)
    logits = torch.zeros(2, 8, 16)
    logits[0, :, :8] = 20.0
    out = tmp_path / 'scores.csv'
    metric = UncertaintyScoreMetric(dict(type='LeastConfidence'), region_mask=str(tmp_path / 'mask.png'),
                                    img_dir='/d', img_suffix='.png', out_file=str(out))
    metric.process(None, [seg_sample('/d/a.png', logits)])
    plain = UncertaintyScoreMetric(dict(type='LeastConfidence'), img_dir='/d', img_suffix='.png')
    plain.process(None, [seg_sample('/d/a.png', logits)])
    assert metric.results[0][1] == pytest.approx(0.0, abs=1e-6)
    assert plain.results[0][1] == pytest.approx(0.25, abs=1e-6)
    metric.compute_metrics(metric.results)
    assert read_scores(str(out), 'score') == {'a': metric.results[0][1]}
    with pytest.raises(FileNotFoundError, match='region_mask'):
        UncertaintyScoreMetric(dict(type='LeastConfidence'), region_mask=str(tmp_path / 'no.png'),
                               img_dir='/d', img_suffix='.png')


def test_ids_classification_logits_and_duplicates(tmp_path):
    assert image_id('/d/city/x_leftImg8bit.png', '/d', '_leftImg8bit.png') == 'city/x'
    metric = UncertaintyScoreMetric(dict(type='Margin'), img_dir='', img_suffix=None)
    metric.process(None, [dict(img_id='train_00001', pred_logits=torch.tensor([0.0, 0.0]))])
    assert metric.results == [('train_00001', 1.0, None)]
    losses = PretextLossMetric(img_dir='/d', img_suffix='.png')
    with pytest.raises(RuntimeError, match='scored twice'):
        losses.compute_metrics([('a', 1.0, None), ('a', 1.0, None)])


def test_class_column_and_predicted_class(tmp_path):
    from pt4al_seg.evaluation.image_scores import predicted_class
    from pt4al_seg.utils import read_column
    logits = torch.zeros(3, 4, 4)
    logits[0] = 5.0  # background nearly everywhere
    logits[2, 0, 0] = 10.0  # class 2 on one pixel
    assert predicted_class(logits) == 0
    assert predicted_class(logits, exclude=[0]) == 2
    assert predicted_class(torch.zeros(3, 2, 2).index_fill_(0, torch.tensor([0]), 1.0),
                           exclude=[0]) == 0  # only background predicted
    assert predicted_class(torch.tensor([0.1, 0.9])) == 1
    out = tmp_path / 's.csv'
    metric = UncertaintyScoreMetric(dict(type='LeastConfidence'), image_class=dict(exclude=[0]),
                                    img_dir='/d', img_suffix='.png', out_file=str(out))
    metric.process(None, [seg_sample('/d/a.png', logits)])
    metric.compute_metrics(metric.results)
    assert read_column(str(out), 'class') == {'a': '2'}
    assert list(read_scores(str(out), 'score')) == ['a']

"""MCDAL end to end on tiny data: each cycle trains with the images still
unlabelled beside its batches, and the scores are recomputed here from the
checkpoint with mmseg's inference API and the authors' formula."""
import os.path as osp

import numpy as np
import pytest

from pt4al_seg.utils import read_ids, read_scores
from ..conftest import check_contract, refusal, run_al
from ..test_engine.test_committee import highest


def test_mcdal_segmentation(tiny_scenes, tmp_path):
    from mmseg.apis import inference_model, init_model
    wd = tmp_path / 'mcdal'
    run_al(wd, tiny_scenes, strategy='mcdal')
    pool = read_ids(str(wd / 'pool.txt'))
    for c in (0, 1):
        cycle = wd / f'cycle_{c:02d}'
        labelled = read_ids(str(cycle / 'labelled.txt'))
        assert read_ids(str(cycle / 'unlabelled.txt')) == [
            i for i in pool if i not in labelled
        ]
        logs = [open(p).read() for p in cycle.glob('2*/2*.log')]
        # maximised on unlabelled images in the cycle's training
        assert any('loss_mcdal_disc: -' in log for log in logs)
    scores = read_scores(str(wd / 'cycle_01' / 'scores.csv'), 'score')
    model = init_model(
        str(wd / 'cycle_00' / 'config.py'),
        str(wd / 'cycle_00' / 'model.pth'),
        device='cpu')
    img_dir = osp.join(tiny_scenes, 'img_dir', 'train')
    for i in sorted(scores)[:4]:
        out = inference_model(model, osp.join(img_dir, f'{i}.png'))
        main = out.seg_logits.data.softmax(0).numpy()
        a1, a2 = out.aux_logits.softmax(1).numpy()
        by_hand = np.mean(
            np.abs(a1 - a2).sum(0) + np.abs(main - a1).sum(0) +
            np.abs(main - a2).sum(0))
        assert scores[i] == pytest.approx(by_hand, rel=1e-4), i
    assert len(set(scores.values())) > 1
    assert read_ids(str(wd / 'cycle_01' / 'selected.txt')) == highest(
        scores, 5)
    check_contract(wd, '--pool')


@pytest.mark.parametrize('query, model',
                         [('MCDAL', 'MCDALEncoderDecoder'),
                          ('VAAL', 'VAALEncoderDecoder'),
                          ('PredictedLoss', 'LossPredictionEncoderDecoder')])
def test_a_query_without_its_model_is_refused(tiny_scenes, tmp_path, query,
                                              model):
    """A query that reads what a strategy's own model predicts, put on the
    plain EncoderDecoder: one line naming the model, before any work."""
    line = refusal(
        tmp_path / 'refused',
        tiny_scenes, [f'al.query.type={query}'],
        strategy='lc')
    assert line == (
        f'train_al.py: error: {query} reads what a {model} predicts, and '
        f"model.type is 'EncoderDecoder': set al.model=dict(type='{model}') "
        '(its strategy config does)')

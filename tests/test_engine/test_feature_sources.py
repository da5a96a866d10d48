"""Features of a self-supervised checkpoint (``al.features=PATH``): the task
model's backbone under its weights, one pass over the pool, picked from in
every cycle."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch

from pt4al_seg.engine.feature_sources import backbone_weights
from pt4al_seg.engine.settings import ALConfigError
from pt4al_seg.utils import read_features, read_ids
from ..conftest import CONFIG, REPO
from ..conftest import check_contract as check_run
from ..conftest import refusal, run_al
from .test_strategies import typiclust_picked_from


def demo_cfg():
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    return Config.fromfile(osp.join(REPO, CONFIG))


def seeded_backbone(seed=1):
    """The demo's backbone, seeded: a stand-in for a SimCLR/MoCo backbone."""
    from mmseg.registry import MODELS
    torch.manual_seed(seed)
    net = MODELS.build(demo_cfg().model.backbone)
    net.init_weights()
    return net


def test_backbone_weights_from_every_layout(tmp_path):
    """A bare backbone's keys get the prefix; an mmengine/mmpretrain
    checkpoint gives its ``backbone.*`` (neck and head left out; DDP's
    ``module.`` dropped); a missing, misshapen or extra weight (a deeper
    network), or a file that is no checkpoint, is one line naming it."""
    cfg = demo_cfg()
    bare = seeded_backbone().state_dict()
    expected = {f'backbone.{k}': v for k, v in bare.items()}
    layouts = dict(
        bare=bare,
        mmengine=dict(
            meta={},
            state_dict=dict(expected, **{'neck.fc.weight': torch.ones(2)})),
        ddp=dict(model={
            f'module.{k}': v
            for k, v in expected.items()
        }))
    for name, ckpt in layouts.items():
        torch.save(ckpt, tmp_path / f'{name}.pth')
        got = backbone_weights(str(tmp_path / f'{name}.pth'), cfg)
        assert list(got) == list(expected), name
        assert all(torch.equal(got[k], v) for k, v in expected.items())
    first = next(iter(bare))
    torch.save({
        k: v
        for k, v in bare.items() if k != first
    }, tmp_path / 'partial.pth')
    with pytest.raises(
            ALConfigError,
            match=f"lacks 1 of the {len(bare)} "
            f"backbone weights of the task model, e.g. "
            f'backbone.{first} '):
        backbone_weights(str(tmp_path / 'partial.pth'), cfg)
    torch.save(dict(bare, **{first: torch.zeros(3)}), tmp_path / 'shape.pth')
    with pytest.raises(ALConfigError, match=rf'backbone.{first} is \(3,\)'):
        backbone_weights(str(tmp_path / 'shape.pth'), cfg)
    deeper = dict(bare, **{'layer5.0.conv1.weight': torch.zeros(1)})
    torch.save(
        dict(state_dict={
            f'backbone.{k}': v
            for k, v in deeper.items()
        }), tmp_path / 'deeper.pth')
    with pytest.raises(
            ALConfigError,
            match='holds 1 backbone weights the '
            'task model\'s backbone has not, e.g. '
            'backbone.layer5.0.conv1.weight'):
        backbone_weights(str(tmp_path / 'deeper.pth'), cfg)
    (tmp_path / 'text.pth').write_text('not a checkpoint')
    with pytest.raises(ALConfigError, match='is not a torch checkpoint'):
        backbone_weights(str(tmp_path / 'text.pth'), cfg)


def features_by_hand(weights, img_dir, ids):
    """Each image alone through the demo's score pipeline, data preprocessor
    and the backbone with ``weights``: its last stage averaged."""
    from mmengine.dataset import Compose, pseudo_collate
    from mmseg.registry import MODELS
    cfg = demo_cfg()
    model = MODELS.build(cfg.model)
    model.backbone.load_state_dict(weights)
    model.eval()
    pipeline = Compose(cfg.score_pipeline)
    out = {}
    for i in ids:
        packed = pipeline(dict(img_path=osp.join(img_dir, f'{i}.png')))
        with torch.no_grad():
            data = model.data_preprocessor(pseudo_collate([packed]), False)
            out[i] = model.backbone(data['inputs'])[-1].mean((2, 3))[0].numpy()
    return out


def test_typiclust_on_checkpoint_features(tiny_scenes, tmp_path):
    """TypiClust picks cycle 0 and cycle 1 from features/features.npz: every
    pool image's pooled feature under the checkpoint's backbone (recomputed
    by hand), made once, no scoring pass of a task model."""
    weights = seeded_backbone().state_dict()
    ckpt = str(tmp_path / 'ssl_backbone.pth')
    torch.save(weights, ckpt)
    wd = tmp_path / 'typiclust'
    options = [
        'al_hooks=[]', f'al.features={ckpt}',
        'al.cold_start.picker.type=TypiClust', 'al.picker.type=TypiClust'
    ]
    run_al(wd, tiny_scenes, options=options)
    pool = read_ids(str(wd / 'pool.txt'))
    feats = str(wd / 'features' / 'features.npz')
    assert [str(i) for i in np.load(feats)['ids']] == pool
    by_hand = features_by_hand(weights,
                               osp.join(tiny_scenes, 'img_dir', 'train'),
                               pool[:3])
    for i, feat in by_hand.items():
        assert read_features(feats, [i])[0] == pytest.approx(
            feat, rel=1e-4, abs=1e-5), i
    typiclust_picked_from(wd, feats, pool)
    check_run(wd, '--pool', '--no-topk')
    # made once: the phase is recorded, a resume redoes nothing of it
    state = json.load(open(wd / 'al_state.json'))
    assert 'features.scored' in state['phases']
    stamp = os.stat(feats).st_mtime_ns
    run_al(wd, tiny_scenes, '--resume', options=options)
    assert os.stat(feats).st_mtime_ns == stamp


@pytest.mark.parametrize('given, error', [
    ('/missing/ssl.pth', "al.features must be one of task, pretext or a "
     "checkpoint file, got '/missing/ssl.pth' (no such file)"),
    ('GRAY', None),
])
def test_a_bad_checkpoint_is_refused_before_any_work(tiny_scenes, tmp_path,
                                                     given, error):
    """A missing file, or a checkpoint whose weights are not the task model's
    backbone (here its stem cut to one input channel, as a colorization
    pretext's), is one line, and nothing of the run is written."""
    if given == 'GRAY':
        net = seeded_backbone()
        state = net.state_dict()
        stem = next(k for k, v in state.items() if v.dim() == 4)
        state[stem] = state[stem][:, :1]
        given = str(tmp_path / 'gray.pth')
        torch.save(state, given)
        error = f'backbone.{stem} is '
    wd = tmp_path / 'bad'
    line = refusal(wd, tiny_scenes, [
        'al_hooks=[]', f'al.features={given}',
        'al.cold_start.picker.type=TypiClust', 'al.picker.type=TypiClust'
    ])
    assert error in line
    assert not wd.exists() or os.listdir(wd) == []

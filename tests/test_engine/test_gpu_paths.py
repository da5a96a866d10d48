"""What only a GPU run would exercise, approximated on the CPU: bf16 autocast
in the scoring passes (``al.bf16``; torch autocasts to bf16 on the CPU too)
and the ``--amp`` branch of ``tools/train_al.py`` up to its device check.
SyncBN to BN on one process: ``test_configs/test_cityscapes_standin.py``."""
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from pt4al_seg.engine import ALSettings, load_pool
from pt4al_seg.engine.phase_configs import (cycle_config, pretext_config,
                                            score_config)
from pt4al_seg.engine.phases import build_phase_runner
from pt4al_seg.utils import read_scores, write_ids
from pt4al_seg.utils.cli import enable_amp
from ..conftest import CONFIG, point_to, run_al


def _demo_config(data_root, **al):
    cfg = Config.fromfile(CONFIG)
    point_to(cfg, data_root)
    cfg.model.data_preprocessor.size = (32, 32)
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.al.update(al)
    cfg.al = ALSettings.from_config(cfg).to_dict()
    init_default_scope('mmseg')
    return cfg


def _scoring_passes(data_root, work_dir, bf16):
    """Least confidence and pretext losses of 12 images, seeded random
    weights, with and without bf16 autocast."""
    cfg = _demo_config(data_root, bf16=bf16)
    pool = load_pool(cfg)
    ids_file = osp.join(work_dir, 'ids.txt')
    write_ids(ids_file, pool.ids[:12])
    torch.manual_seed(0)
    ckpt = osp.join(work_dir, 'task.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), ckpt)
    out = osp.join(work_dir, 'score')
    metric = dict(
        type='StrategyOutputsMetric',
        query=dict(type='LeastConfidence'),
        scores_file=osp.join(out, 'scores.csv'))
    build_phase_runner(score_config(cfg, pool, out, ids_file, ckpt,
                                    metric)).test()
    pretext = osp.join(work_dir, 'pretext')
    build_phase_runner(
        pretext_config(cfg, pool, pretext, ids_file, train=False)).test()
    return (read_scores(osp.join(out, 'scores.csv'), 'score'),
            read_scores(osp.join(pretext, 'losses.csv'), 'loss'))


def test_bf16_scoring_runs_on_cpu_with_float32_scores(tiny_scenes, tmp_path):
    (tmp_path / 'fp32').mkdir()
    (tmp_path / 'bf16').mkdir()
    lc32, loss32 = _scoring_passes(tiny_scenes, str(tmp_path / 'fp32'), False)
    lc16, loss16 = _scoring_passes(tiny_scenes, str(tmp_path / 'bf16'), True)
    assert list(lc16) == list(lc32) and list(loss16) == list(loss32)
    for ref, got, tol in ((lc32, lc16, 0.02), (loss32, loss16, 0.05)):
        a = np.array([ref[i] for i in ref])
        b = np.array([got[i] for i in ref])
        assert np.isfinite(b).all()
        # autocast was on: the values moved, a little
        assert (a != b).any() and np.abs(a - b).max() <= tol * np.abs(a).max()
    # least confidence is computed in float32 from the bf16 logits: as many
    # distinct scores as images (bf16 itself has 3 significant digits)
    values = np.array(list(lc16.values()))
    assert ((values >= 0) & (values <= 1)).all()
    assert len(set(values.tolist())) == len(values)


def test_amp_reaches_both_training_phases(tiny_scenes, tmp_path, monkeypatch):
    cfg = _demo_config(tiny_scenes)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    enable_amp(cfg)
    pool = load_pool(cfg)
    ids_file = str(tmp_path / 'ids.txt')
    write_ids(ids_file, pool.ids[:8])
    pretext = pretext_config(
        cfg, pool, str(tmp_path / 'pretext'), ids_file, train=True)
    cycle = cycle_config(cfg, str(tmp_path / 'cycle_00'), ids_file, None,
                         False)
    for c in (pretext, cycle):
        wrapper = c['optim_wrapper']
        assert (wrapper['type'], wrapper['loss_scale']) == ('AmpOptimWrapper',
                                                            'dynamic')
        assert wrapper['optimizer']['type'] == 'SGD'  # the rest kept


def test_amp_without_gpu_fails_before_any_work(tiny_scenes, tmp_path):
    wd = tmp_path / 'run'
    proc = run_al(wd, tiny_scenes, '--amp', check=False, in_process=True)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        'train_al.py: error: --amp needs a CUDA GPU (AmpOptimWrapper), none '
        'is visible'
    ]
    assert not wd.exists()

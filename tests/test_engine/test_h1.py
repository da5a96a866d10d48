"""The pretext-analysis tool: held-out pretext loss vs task loss, Spearman rho.
"""
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import spearmanr

from pt4al_seg.engine.h1 import correlate
from pt4al_seg.utils import read_scores
from ..conftest import CONFIG, REPO, tiny_options


def test_correlate_on_known_orders(tmp_path):
    rng = np.random.default_rng(0)
    pretext = {f'i{k}': float(v) for k, v in enumerate(rng.random(50))}
    same = correlate(pretext, {
        k: 3 * v + 1
        for k, v in pretext.items()
    }, str(tmp_path))
    assert same['rho'] == pytest.approx(1.0) and same['num_images'] == 50
    flipped = correlate(pretext, {
        k: -v
        for k, v in pretext.items()
    }, str(tmp_path))
    assert flipped['rho'] == pytest.approx(-1.0)
    assert (tmp_path / 'analysis.png').read_bytes()[:4] == b'\x89PNG'
    with pytest.raises(ValueError, match='at least 3'):
        correlate({'a': 1.0}, {'a': 2.0}, str(tmp_path))


def test_tool_on_a_finished_run(finished_run, tiny_scenes, tmp_path):
    cmd = [
        sys.executable, 'tools/analyze_pretext.py', CONFIG,
        '--pretext-checkpoint', f'{finished_run}/pretext/model.pth',
        '--task-checkpoint', f'{finished_run}/cycle_01/model.pth',
        '--work-dir',
        str(tmp_path), *tiny_options(tiny_scenes)
    ]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result['num_images'] == 12  # the val split
    pretext = read_scores(str(tmp_path / 'pretext_losses.csv'), 'loss')
    task = read_scores(str(tmp_path / 'task_losses.csv'), 'loss')
    assert set(pretext) == set(task) and len(task) == 12
    ids = sorted(task)
    rho = spearmanr([pretext[i] for i in ids], [task[i] for i in ids])[0]
    assert result['rho'] == pytest.approx(rho, abs=1e-9)
    assert all(v >= 0 for v in task.values())
    # the run measured the same itself, after its last cycle (H1 per run)
    h1 = json.loads(open(f'{finished_run}/pretext/h1.json').read())
    assert h1 == pytest.approx(result)
    assert open(f'{finished_run}/pretext/h1.csv').read() == open(
        tmp_path / 'analysis.csv').read()
    assert open(f'{finished_run}/pretext/h1.png', 'rb').read(4) == \
        b'\x89PNG'

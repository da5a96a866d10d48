"""Two CPU processes (gloo, torchrun) run the driver over a pool they cannot
split evenly: the run passes the output contract, and its scoring passes give
exactly what one process gives with the same models (the sampler's padding
duplicates dropped, every id once)."""
import json
import os
import shutil
import socket
import subprocess
import sys

import cv2
import numpy as np
import pytest

from pt4al_seg.utils import read_ids
from ..conftest import CONFIG, REPO, check_contract, run_al, tiny_options

# score one image per batch on every rank (batch composition aside, the two
# runs score the same images with the same weights); k-center greedy also
# writes the features of the labelled images and the candidates
OPTIONS = ['al.score_batch_size=1', 'al.picker.type=KCenterGreedy']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def torchrun(nproc, *args):
    cmd = [
        sys.executable, '-m', 'torch.distributed.run',
        f'--nproc_per_node={nproc}', '--master_port',
        str(free_port()), *args
    ]
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


@pytest.fixture
def odd_pool(tiny_scenes, tmp_path):
    """The tiny data with a 61st training image (00000 mirrored): 2 ranks
    split the pool, and PT4AL's batch of 31, unevenly."""
    root = tmp_path / 'data61'
    shutil.copytree(tiny_scenes, root)
    for folder in ('img_dir', 'ann_dir'):
        train = root / folder / 'train'
        img = cv2.imread(str(train / '00000.png'), cv2.IMREAD_UNCHANGED)
        cv2.imwrite(str(train / '00060.png'), img[:, ::-1])
    return root


def rescore_copy(run, out):
    """A copy of ``run`` whose pretext scoring, ranking and cycle 1 are
    undone: --resume scores the pool with pretext/model.pth and batch 1 with
    cycle_00/model.pth again."""
    shutil.copytree(run, out)
    state = json.load(open(out / 'al_state.json'))
    state['phases'] = [
        p for p in state['phases']
        if p not in ('pretext.scored',
                     'ranked') and not p.startswith('cycle_01')
    ]
    (out / 'al_state.json').write_text(json.dumps(state))
    shutil.rmtree(out / 'cycle_01')
    os.remove(out / 'pretext' / 'losses.csv')


def test_two_processes_run_and_score_as_one(odd_pool, tmp_path, monkeypatch):
    two, one = tmp_path / 'two', tmp_path / 'one'
    # one thread per process on both sides: CPU kernels may sum in another
    # order with another thread count (torch 2.14 does: last-bit differences)
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    torchrun(2, 'tools/train_al.py', CONFIG, '--launcher', 'pytorch',
             '--work-dir', str(two), *tiny_options(odd_pool), *OPTIONS)
    assert len(read_ids(str(two / 'cycle_01' / 'labelled.txt'))) == 10
    check_contract(two, '--no-topk')
    # the same scoring passes and picks on one process
    rescore_copy(two, one)
    run_al(one, odd_pool, '--resume', options=OPTIONS)
    for rel in ('pretext/losses.csv', 'pretext/batches/batch_00.txt',
                'pretext/batches/batch_01.txt', 'cycle_01/scores.csv',
                'cycle_01/selected.txt'):
        assert (two / rel).read_text() == (one / rel).read_text(), rel
    # every id once, none lost to the sampler's padding or doubled by it
    rows = (two / 'pretext' / 'losses.csv').read_text().splitlines()[1:]
    assert sorted(r.split(',')[0]
                  for r in rows) == sorted(read_ids(str(two / 'pool.txt')))
    assert len(rows) == 61
    batch = read_ids(str(two / 'pretext' / 'batches' / 'batch_01.txt'))
    rows = (two / 'cycle_01' / 'scores.csv').read_text().splitlines()[1:]
    assert len(batch) == 30 and sorted(r.split(',')[0]
                                       for r in rows) == sorted(batch)
    feats = [np.load(d / 'cycle_01' / 'features.npz') for d in (two, one)]
    assert list(feats[0]['ids']) == list(feats[1]['ids'])
    # the labelled images and the batch: 35, split 18 / 17 over the ranks
    assert sorted(feats[0]['ids']) == sorted(
        read_ids(str(two / 'cycle_00' / 'labelled.txt')) + batch)
    assert np.array_equal(feats[0]['features'], feats[1]['features'])

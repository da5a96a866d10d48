"""Two CPU processes (gloo, torchrun) score and select exactly what one process
does, and a full 2-process run passes the output contract."""
import json
import os
import shutil
import socket
import subprocess
import sys

from pt4al_seg.utils import read_ids
from ..conftest import CONFIG, REPO, check_contract, tiny_options


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


def rescore_copy(finished_run, out):
    """A copy of the finished run whose pretext scoring, ranking and cycle 1
    are undone: --resume scores the pool with pretext/model.pth and batch 1
    with cycle_00/model.pth again, through the runner, on however many
    processes torchrun gives."""
    shutil.copytree(finished_run, out)
    state = json.load(open(out / 'al_state.json'))
    state['phases'] = [
        p for p in state['phases']
        if p not in ('pretext.scored',
                     'ranked') and not p.startswith('cycle_01')
    ]
    state['settings']['al.score_batch_size'] = '1'
    (out / 'al_state.json').write_text(json.dumps(state))
    shutil.rmtree(out / 'cycle_01')
    os.remove(out / 'pretext' / 'losses.csv')


def test_scoring_on_two_processes_equals_one(finished_run, tiny_scenes,
                                             tmp_path):
    outs = {}
    for n in (1, 2):
        out = tmp_path / f'n{n}'
        rescore_copy(finished_run, out)
        torchrun(n, 'tools/train_al.py', CONFIG, '--launcher',
                 'pytorch', '--work-dir', str(out), '--resume',
                 *tiny_options(tiny_scenes), 'al.score_batch_size=1')
        outs[n] = out
    for rel in ('pretext/losses.csv', 'pretext/batches/batch_01.txt',
                'cycle_01/scores.csv', 'cycle_01/selected.txt'):
        one, two = (open(outs[n] / rel).read() for n in (1, 2))
        assert one == two, rel
    assert len(read_ids(str(
        outs[2] / 'pretext/losses.csv'))) == 61  # header + 60
    assert len(read_ids(str(
        outs[2] / 'cycle_01/scores.csv'))) == 31  # no sampler padding


def test_full_two_process_run_passes_contract(tiny_scenes, tmp_path):
    wd = tmp_path / 'ddp'
    torchrun(2, 'tools/train_al.py', CONFIG, '--launcher', 'pytorch',
             '--work-dir', str(wd), *tiny_options(tiny_scenes))
    assert len(read_ids(str(wd / 'cycle_01' / 'labelled.txt'))) == 10
    check_contract(wd)

"""SIGKILL a real run at several points, resume it, and compare with an uninterrupted run
(the session's `finished_run`, same seed and settings)."""
import os
import os.path as osp
import signal

import pytest

from ..conftest import run_al

COMPARED = ['pool.txt', 'pretext/losses.csv', 'pretext/batches/batch_00.txt',
            'pretext/batches/batch_01.txt', 'cycle_00/selected.txt', 'cycle_00/labelled.txt',
            'cycle_01/scores.csv', 'cycle_01/selected.txt', 'cycle_01/labelled.txt',
            'summary.csv']


@pytest.mark.parametrize('point', [
    'train:pretext:3',             # during pretext training
    'pretext.scored:before-mark',  # losses written, not recorded
    'ranked:partial',              # some batch files written
    'cycle_01.selected:before-mark',  # scores and selection written, not recorded
    'train:cycle_01:4',            # during a cycle's training
    'report:partial',              # summary.png written, summary.csv not
])
def test_killed_run_resumes_to_the_same_result(point, finished_run, tiny_scenes, tmp_path):
    wd = tmp_path / 'killed'
    os.environ['PT4AL_KILL_AT'] = point
    try:
        proc = run_al(wd, tiny_scenes, check=False)
    finally:
        del os.environ['PT4AL_KILL_AT']
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    run_al(wd, tiny_scenes, '--resume')
    for rel in COMPARED:
        assert open(wd / rel).read() == open(osp.join(finished_run, rel)).read(), rel
    assert not [f for _, _, fs in os.walk(wd) for f in fs if '.tmp' in f]


def test_checkpoint_mode_resumes_inside_the_cycle(finished_run, tiny_scenes, tmp_path):
    """al.resume_training='checkpoint' continues an interrupted cycle from mmengine's last
    checkpoint (not bit-identical by design); what was finished before stays as it was."""
    wd = tmp_path / 'killed'
    os.environ['PT4AL_KILL_AT'] = 'train:cycle_01:5'
    try:
        proc = run_al(wd, tiny_scenes, check=False,
                      options=['al.resume_training=checkpoint'])
    finally:
        del os.environ['PT4AL_KILL_AT']
    assert proc.returncode == -signal.SIGKILL
    assert (wd / 'cycle_01' / 'iter_4.pth').is_file()
    proc = run_al(wd, tiny_scenes, '--resume', options=['al.resume_training=checkpoint'])
    assert 'Auto resumed from the latest checkpoint' in proc.stdout + proc.stderr
    for rel in COMPARED[:-1]:  # summary.csv holds the retrained cycle's metric
        assert open(wd / rel).read() == open(osp.join(finished_run, rel)).read(), rel
    assert (wd / 'cycle_01' / 'model.pth').is_file()

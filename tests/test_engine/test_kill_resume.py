"""SIGKILL a real run at several points, resume it, and compare with an
uninterrupted run (the session's `finished_run`, same seed and settings). The
kills come from a hook the tests add to the config (tests/fault_hook.py), as a
user adds any AL hook."""
import os
import os.path as osp
import signal

from ..conftest import run_al

FAULTS = 'tests/data/demo_with_faults.py'
COMPARED = [
    'pool.txt', 'pretext/losses.csv', 'pretext/batches/batch_00.txt',
    'pretext/batches/batch_01.txt', 'cycle_00/selected.txt',
    'cycle_00/labelled.txt', 'cycle_01/scores.csv', 'cycle_01/selected.txt',
    'cycle_01/labelled.txt', 'summary.csv'
]


def killed_run(wd, data, point, monkeypatch, *args, config=FAULTS, **kwargs):
    monkeypatch.setenv('PT4AL_KILL_AT', point)
    proc = run_al(wd, data, *args, check=False, config=config, **kwargs)
    monkeypatch.delenv('PT4AL_KILL_AT')
    assert proc.returncode == -signal.SIGKILL, (point, proc.stderr[-2000:])
    return proc


# in the order a run reaches them; each is resumed from by the next run
POINTS = [
    ('train:pretext:3', None),  # during pretext training
    ('score:pretext:2', None),  # inside the pretext scoring pass
    ('pretext.scored:before-mark', None),  # losses written, not recorded
    ('ranked:before-mark',
     'pretext/batches/batch_01.txt'),  # some batch files written
    ('score:score_01:1', None),  # inside cycle 1's scoring pass
    ('cycle_01.selected:before-mark',
     None),  # scores and selection written, not recorded
    ('cycle_01.labelled:before-mark',
     None),  # labelled.txt written, not recorded
    ('train:cycle_01:4', None),  # during a cycle's training
    ('cycle_01.trained:before-mark', None),  # model and metrics, not recorded
]


def test_killed_run_resumes_to_the_same_result(finished_run, tiny_scenes,
                                               tmp_path, monkeypatch):
    """Killed at each point in turn: each run resumes the one killed before
    it and is killed at the next point; the last resume finishes. Every file
    equals the uninterrupted run's. (One chain, not one run per point: the
    same resumes at a tenth of the cost.)"""
    wd, resume, shards, done = tmp_path / 'killed', (), None, 0
    for point, then_remove in POINTS:
        proc = killed_run(wd, tiny_scenes, point, monkeypatch, *resume)
        resume = ('--resume', )
        if shards is not None:  # resumed from inside a scoring pass:
            assert_rest_scored(proc, shards, done)  # only the rest was scored
            shards = None
        if then_remove:
            os.remove(wd / then_remove)
        if point.startswith('score:'):  # the batches scored before the kill
            _, phase, done = point.split(':')
            shards = wd / ('pretext' if phase == 'pretext' else
                           'cycle_01') / 'score_shards'
            assert len(os.listdir(shards)) == int(done), point
    run_al(wd, tiny_scenes, '--resume', config=FAULTS)
    for rel in COMPARED:
        assert open(wd / rel).read() == open(osp.join(finished_run,
                                                      rel)).read(), rel
    assert not [f for _, _, fs in os.walk(wd) for f in fs if '.tmp' in f]


def assert_rest_scored(proc, shards, done):
    num_done = 16 * int(done)  # the demo's score_batch_size is 16
    assert f': {num_done} images were scored before the interruption' \
        in proc.stdout + proc.stderr
    assert not shards.exists()


def test_checkpoint_mode_resumes_inside_the_cycle(finished_run, tiny_scenes,
                                                  tmp_path, monkeypatch):
    """al.resume_training='checkpoint' continues an interrupted cycle from
    mmengine's last checkpoint (not bit-identical by design); what was finished
    before stays as it was."""
    wd = tmp_path / 'killed'
    killed_run(
        wd,
        tiny_scenes,
        'train:cycle_01:5',
        monkeypatch,
        options=['al.resume_training=checkpoint'])
    assert (wd / 'cycle_01' / 'iter_4.pth').is_file()
    run_al(
        wd,
        tiny_scenes,
        '--resume',
        config=FAULTS,
        options=['al.resume_training=checkpoint'])
    logs = [
        open(osp.join(d, f)).read() for d, _, fs in os.walk(wd / 'cycle_01')
        for f in fs if f.endswith('.log')
    ]  # the phase's log files (the console shows the run's story)
    assert any('Auto resumed from the latest checkpoint' in t for t in logs)
    for rel in COMPARED[:-1]:  # summary.csv holds the retrained cycle's metric
        assert open(wd / rel).read() == open(osp.join(finished_run,
                                                      rel)).read(), rel
    assert (wd / 'cycle_01' / 'model.pth').is_file()

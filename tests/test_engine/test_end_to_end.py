"""A real 2-cycle PT4AL run through tools/train_al.py on tiny data, checked
against the output contract (shared/DESIGN.md), re-evaluated with
tools/test.py, and resumed."""
import csv
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest

from pt4al_seg.engine.timings import al_share, share_line
from pt4al_seg.strategies import every_nth
from pt4al_seg.utils import read_ids, read_scores
from ..conftest import REPO, check_contract, run_al, run_in_process
from ..oracles import miou_by_hand


def mtimes(work_dir):
    out = {}
    for d, _, files in os.walk(work_dir):
        for f in files:
            if f.endswith(('.pth', '.txt', '.csv')):
                out[osp.join(d, f)] = os.stat(osp.join(d, f)).st_mtime_ns
    return out


def test_output_contract(finished_run, tiny_scenes):
    wd = finished_run
    pool = read_ids(osp.join(wd, 'pool.txt'))
    assert len(pool) == 60
    losses = read_scores(osp.join(wd, 'pretext', 'losses.csv'), 'loss')
    assert set(losses) == set(pool)
    assert len(set(losses.values())) == 60  # full precision, no ties
    batches = [
        read_ids(osp.join(wd, 'pretext', 'batches', f'batch_{i:02d}.txt'))
        for i in range(2)
    ]
    assert [len(b) for b in batches] == [30, 30]
    flat = batches[0] + batches[1]
    assert sorted(flat) == sorted(pool)
    assert [losses[i] for i in flat] == sorted(losses.values(), reverse=True)
    sel0 = read_ids(osp.join(wd, 'cycle_00', 'selected.txt'))
    assert sel0 == every_nth(batches[0], 5)
    scores = read_scores(osp.join(wd, 'cycle_01', 'scores.csv'), 'score')
    assert set(scores) == set(batches[1])
    sel1 = read_ids(osp.join(wd, 'cycle_01', 'selected.txt'))
    assert len(sel1) == 5 and set(sel1) <= set(batches[1])
    assert min(scores[i] for i in sel1) >= max(v for i, v in scores.items()
                                               if i not in sel1)
    assert read_ids(osp.join(wd, 'cycle_01', 'labelled.txt')) == sel0 + sel1
    rows = list(csv.DictReader(open(osp.join(wd, 'summary.csv'))))
    assert [r['cycle'] for r in rows] == ['0', '1']
    assert [int(r['num_labelled']) for r in rows] == [5, 10]
    assert rows[1]['fraction'] == '0.1667'  # 10 / 60, 4 decimals
    for c, row in enumerate(rows):  # each cycle's model on the val split
        assert float(row['mIoU']) == miou_by_hand(
            osp.join(wd, f'cycle_{c:02d}', 'config.py'),
            osp.join(wd, f'cycle_{c:02d}', 'model.pth'),
            osp.join(tiny_scenes, 'img_dir', 'val'),
            osp.join(tiny_scenes, 'ann_dir', 'val'), 11), c
    assert open(osp.join(wd, 'summary.png'),
                'rb').read(8) == b'\x89PNG\r\n\x1a\n'
    for c in ('cycle_00', 'cycle_01'):
        assert osp.isfile(osp.join(wd, c, 'config.py'))
        assert osp.isfile(osp.join(wd, c, 'model.pth'))
        assert not [
            f for f in os.listdir(osp.join(wd, c)) if f.startswith('iter_')
        ]
    state = json.load(open(osp.join(wd, 'al_state.json')))
    assert state['phases'][-1] == 'cycle_01.trained'
    # the cycle's training set is exactly its labelled list
    text = open(osp.join(wd, 'cycle_01', 'config.py')).read()
    assert osp.join(wd, 'cycle_01', 'labelled.txt') in text


def test_shared_check_run(finished_run):
    check_contract(finished_run)


def test_cycle_config_and_checkpoint_reproduce_miou(finished_run, tmp_path):
    rows = list(csv.DictReader(open(osp.join(finished_run, 'summary.csv'))))
    cycle = osp.join(finished_run, 'cycle_01')
    proc = subprocess.run([
        sys.executable, 'tools/test.py',
        osp.join(cycle, 'config.py'),
        osp.join(cycle, 'model.pth'), '--work-dir',
        str(tmp_path)
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.load(open(tmp_path / 'metrics.json'))
    assert metrics['mIoU'] == float(rows[1]['mIoU'])


def test_resume_of_finished_run_redoes_nothing(finished_run, tiny_scenes):
    before = mtimes(finished_run)
    run_al(finished_run, tiny_scenes, '--resume')
    assert mtimes(finished_run) == before


def test_existing_run_needs_resume_and_same_config(finished_run, tiny_scenes):
    before = mtimes(finished_run)
    proc = run_al(finished_run, tiny_scenes, check=False, in_process=True)
    assert proc.returncode != 0 and '--resume' in proc.stderr
    proc = run_al(
        finished_run,
        tiny_scenes,
        '--resume',
        budget=4,
        check=False,
        in_process=True)
    assert proc.returncode != 0
    assert 'al.budget: 5 -> 4' in proc.stderr.strip().splitlines()[-1]
    assert mtimes(finished_run) == before


def test_resume_after_finished_phase_continues_from_there(
        finished_run, tiny_scenes, tmp_path):
    wd = str(tmp_path / 'copy')
    shutil.copytree(finished_run, wd)
    state_file = osp.join(wd, 'al_state.json')
    state = json.load(open(state_file))
    # as if killed after cycle 1's selection: cycle 1 not trained yet
    state['phases'] = state['phases'][:state['phases'].
                                      index('cycle_01.selected') + 1]
    del state['cycles']['1']['metrics']
    json.dump(state, open(state_file, 'w'))
    os.remove(osp.join(wd, 'cycle_01', 'model.pth'))
    before = mtimes(wd)
    run_al(wd, tiny_scenes, '--resume')
    after = mtimes(wd)
    for path in ('pretext/model.pth', 'pretext/losses.csv',
                 'cycle_00/model.pth', 'cycle_01/scores.csv',
                 'cycle_01/selected.txt'):
        assert after[osp.join(wd, path)] == before[osp.join(wd, path)], path
    assert osp.isfile(osp.join(wd, 'cycle_01', 'model.pth'))
    assert json.load(open(state_file))['phases'][-1] == 'cycle_01.trained'


def test_stale_summary_is_rewritten_on_resume(finished_run, tiny_scenes,
                                              tmp_path):
    """As after a kill between summary.png and summary.csv of the last cycle.
    """
    wd = tmp_path / 'copy'
    shutil.copytree(finished_run, wd)
    full = (wd / 'summary.csv').read_text()
    (wd / 'summary.csv').write_text(''.join(
        full.splitlines(True)[:2]))  # cycle 0 only
    run_al(wd, tiny_scenes, '--resume')
    assert (wd / 'summary.csv').read_text() == full


def test_amp_on_cpu_is_a_clear_error(tiny_scenes, tmp_path):
    proc = run_al(
        tmp_path / 'amp', tiny_scenes, '--amp', check=False, in_process=True)
    assert proc.returncode != 0 and '--amp needs a CUDA GPU' in proc.stderr
    assert not osp.exists(tmp_path / 'amp')


@pytest.mark.parametrize('init,expected', [('scratch', None),
                                           ('previous', 'cycle_00/model.pth')])
def test_cycle_initialisation(init, expected, tmp_path):
    from pt4al_seg.engine.phases import initial_weights
    from pt4al_seg.engine.run_files import RunFiles
    files = RunFiles(str(tmp_path))
    assert initial_weights(init, files, 0, None) is None
    got = initial_weights(init, files, 1, None)
    assert got == (None if expected is None else osp.join(
        str(tmp_path), expected))


def test_console_is_a_short_story(finished_run):
    """Phase logs go to their files; the console tells the run: no config or
    environment dumps, no registry-scope warnings, a line per step."""
    console = open(osp.join(osp.dirname(finished_run), 'console.txt')).read()
    # a progress bar redraws itself with \r, which the capture turned into
    # new lines: count each bar once
    frames = re.compile(r'\[[ >]*\] \d+/\d+')
    lines = [ln for ln in console.splitlines() if not frames.match(ln)]
    bars = [
        ln for ln in console.splitlines()
        if ln.startswith('[ ') and ' 0/' in ln
    ]
    assert len(lines) + len(bars) <= 60, (len(lines), len(bars))
    assert 'Config:' not in console and 'System environment' not in console
    assert 'Failed to search registry' not in console
    for step in ('pretext: training ColorizationPretext on all 60 images',
                 'ranked by pretext loss (descending) into 2 batches',
                 'cycle 00: 5 of 30 candidates picked (EveryNth)',
                 'cycle 01: 5 of 30 candidates picked (TopK, LeastConfidence)',
                 'cycle 01: training on 10 labelled images'):
        assert step in console, step
    # the full story, the environment and the config once, in the run's log
    # one per invocation (later tests resume this run in place): the first
    logs = sorted(f for f in os.listdir(finished_run) if f.startswith('al_2'))
    assert logs and logs[0].endswith('.log')
    text = open(osp.join(finished_run, logs[0])).read()
    assert text.count('Config:') == 1 and 'System environment' in text
    assert 'cycle 01: training on 10 labelled images' in text
    # each phase's own log keeps mmengine's iteration lines, without the config
    phase_logs = [
        osp.join(d, f)
        for d, _, fs in os.walk(osp.join(finished_run, 'cycle_01')) for f in fs
        if f.endswith('.log')
    ]
    train_log = [
        open(p).read() for p in phase_logs if 'Iter(train)' in open(p).read()
    ]
    assert train_log and 'Config:' not in train_log[0]
    # the run's last line: the share of the run that was active learning's own
    state = json.load(open(osp.join(finished_run, 'al_state.json')))
    own, total = al_share(state['seconds'])
    story = [ln for ln in lines if ' - pt4al_seg - INFO - ' in ln]
    assert story[-1].endswith(share_line(state['seconds']))
    assert 0 < own < total


def test_every_step_is_timed(finished_run):
    steps = [
        'run.checks', 'pretext.train', 'pretext.score', 'pretext.rank',
        'cycle_00.score', 'cycle_00.pick', 'cycle_00.embedding',
        'cycle_00.train', 'cycle_00.test', 'cycle_01.score', 'cycle_01.pick',
        'cycle_01.embedding', 'cycle_01.train', 'cycle_01.test', 'h1.measure'
    ]
    seconds = json.load(open(osp.join(finished_run,
                                      'al_state.json')))['seconds']
    assert sorted(seconds) == sorted(steps)
    assert all(v >= 0 for v in seconds.values())
    rows = list(csv.DictReader(open(osp.join(finished_run, 'timings.csv'))))
    assert [f'{r["phase"]}.{r["step"]}' for r in rows] == steps
    assert [float(r['seconds']) for r in rows] == [seconds[k] for k in steps]
    proc = run_in_process(['tools/al_status.py', finished_run])
    assert f'time:         {sum(seconds.values()):.1f} s recorded' \
        in proc.stdout


def test_status_json_ends_with_a_newline(finished_run):
    proc = run_in_process(['tools/al_status.py', finished_run, '--json'])
    assert proc.returncode == 0 and proc.stdout.endswith('}\n')
    assert json.loads(proc.stdout)['cycles_done'] == 2

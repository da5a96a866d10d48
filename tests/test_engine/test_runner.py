"""The AL runner as mmseg runs it, with a user's own hook, and resuming runs
made by pt4al_seg 0.1 (the state files of the version before the runner
existed)."""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import mmseg

from ..conftest import CONFIG, REPO, check_contract, run_al, tiny_options


def test_mmseg_train_tool_runs_a_users_config_with_a_users_hook(
        finished_run, tiny_scenes, tmp_path):
    """mmseg's own tools/train.py (shipped in mmseg's .mim), run from a user's
    folder on the user's config, which adds a hook from the user's own module:
    the runner is built from runner_type, the hook sees every stage, and the
    run is the one tools/train_al.py makes (the session's finished run)."""
    tool = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'train.py')
    assert osp.isfile(tool), tool
    user = tmp_path / 'user'
    user.mkdir()
    (user / 'my_al_hooks.py').write_text('''
import json
from pt4al_seg.engine import ALHook
from pt4al_seg.registry import AL_HOOKS


@AL_HOOKS.register_module()
class RecordStagesHook(ALHook):
    def __init__(self, out):
        self.out = out

    def _log(self, *item):
        with open(self.out, 'a') as f:
            f.write(json.dumps(item) + '\\n')

    def before_run(self, runner):
        self._log('before_run', runner.cycle_batches is not None)

    def after_select(self, runner, cycle, selected):
        self._log('after_select', cycle, selected)

    def after_cycle(self, runner, cycle, metrics):
        self._log('after_cycle', cycle, sorted(metrics))

    def after_run(self, runner):
        self._log('after_run')
''')
    log = tmp_path / 'stages.jsonl'
    (user / 'my_config.py').write_text(f'''
_base_ = [{osp.join(REPO, CONFIG)!r}]
custom_imports = dict(imports=['pt4al_seg', 'my_al_hooks'])
al_hooks = dict(record=dict(type='RecordStagesHook', out={str(log)!r}))
''')
    env = dict(os.environ, PYTHONPATH=str(user))
    wd = tmp_path / 'run'
    proc = subprocess.run([
        sys.executable, tool,
        str(user / 'my_config.py'), '--work-dir',
        str(wd), *tiny_options(tiny_scenes)
    ],
                          cwd=str(tmp_path),
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stages = [json.loads(line) for line in log.read_text().splitlines()]
    sel = [(wd / f'cycle_{c:02d}' / 'selected.txt').read_text().split()
           for c in (0, 1)]
    assert stages == [
        ['before_run', True],  # after PT4AL's hook (VERY_HIGH) ranked
        ['after_select', 0, sel[0]],
        ['after_cycle', 0, ['aAcc', 'mAcc', 'mIoU']],
        ['after_select', 1, sel[1]],
        ['after_cycle', 1, ['aAcc', 'mAcc', 'mIoU']],
        ['after_run']
    ]
    check_contract(wd)
    for rel in ('pretext/losses.csv', 'cycle_01/scores.csv',
                'cycle_01/labelled.txt', 'summary.csv'):
        assert (wd / rel).read_text() == open(osp.join(finished_run,
                                                       rel)).read(), rel


def v1_state(finished_run, tiny_scenes, version=1):
    """The al_state.json pt4al_seg 0.1 (state version 1) or the version
    before strategies became configs (state version 2, al_hooks a list) wrote
    for the same tiny run (tests/data), with the data paths of this
    session."""
    text = open(osp.join(REPO, 'tests', 'data',
                         f'al_state_v{version}.json')).read()
    return json.loads(text.replace('@DATA_ROOT@', tiny_scenes))


def test_runs_made_before_strategies_were_configs_resume(
        finished_run, tiny_scenes, tmp_path):
    """The demo's run made before this version (its al_hooks a list, the
    demo then a pt4al base with its embedding plots inside PretextBatchHook)
    resumes under today's demo config, redoing nothing."""
    wd = tmp_path / 'v2'
    shutil.copytree(finished_run, wd)
    (wd / 'al_state.json').write_text(
        json.dumps(v1_state(finished_run, tiny_scenes, version=2)))
    before = {  # timings.csv: rewritten from the state's recorded seconds
        p: os.stat(p).st_mtime_ns
        for p in glob.glob(f'{wd}/**/*.*', recursive=True)
        if not p.endswith(('al_state.json', 'timings.csv'))
    }
    run_al(wd, tiny_scenes, '--resume')
    assert {p: os.stat(p).st_mtime_ns for p in before} == before


def test_runs_made_by_version_0_1_resume(finished_run, tiny_scenes, tmp_path):
    old = v1_state(finished_run, tiny_scenes)
    new = json.load(open(osp.join(finished_run, 'al_state.json')))
    # the same run then and now: same pool, same selections, same metrics
    assert [
        (c['num_labelled'], c['fraction']) for c in old['cycles'].values()
    ] == [(c['num_labelled'], c['fraction']) for c in new['cycles'].values()]
    assert old['pool_size'] == new['pool_size']
    assert old['extras'] == new['extras']
    wd = tmp_path / 'v1'
    shutil.copytree(finished_run, wd)
    (wd / 'al_state.json').write_text(json.dumps(old))
    before = {
        p: os.stat(p).st_mtime_ns
        for p in glob.glob(f'{wd}/**/*.*', recursive=True)
        if not p.endswith('al_state.json')
    }
    run_al(wd, tiny_scenes, '--resume')  # nothing differs, nothing is redone
    assert {p: os.stat(p).st_mtime_ns for p in before} == before
    # and one stopped after cycle 1's selection continues from there
    old['phases'] = old['phases'][:old['phases'].index('cycle_01.selected') +
                                  1]
    del old['cycles']['1']['metrics']
    (wd / 'al_state.json').write_text(json.dumps(old))
    os.remove(wd / 'cycle_01' / 'model.pth')
    run_al(wd, tiny_scenes, '--resume')
    state = json.load(open(wd / 'al_state.json'))
    assert state['version'] == 3 and state['phases'][-1] == 'cycle_01.trained'
    assert state['cycles'] == new['cycles']
    check_contract(wd)

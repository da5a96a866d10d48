"""tools/gpu_checks.sh, the prepared GPU script (issue #18): it parses, and
refuses to run without its output folder or with an unknown step, before
doing anything (the steps themselves need the GPU machine)."""
import os
import subprocess

from .conftest import REPO

SCRIPT = 'tools/gpu_checks.sh'


def bash(*args, env=None):
    return subprocess.run(['bash', *args],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=60,
                          env=env)


def test_gpu_checks_script_parses_and_refuses_bad_calls(tmp_path):
    assert bash('-n', SCRIPT).returncode == 0
    proc = bash(SCRIPT)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        'usage: bash tools/gpu_checks.sh prepare | run [STEP ...]')
    env = {k: v for k, v in os.environ.items() if k != 'OUT'}
    proc = bash(SCRIPT, 'run', env=env)
    assert proc.returncode != 0
    assert 'OUT: set OUT to the folder that comes back' in proc.stderr
    proc = bash(SCRIPT, 'run', 'nonsense', env=dict(env, OUT=str(tmp_path)))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        'gpu_checks.sh: unknown step nonsense; steps: env data pytest demo '
        'cityscapes benchmark')
    assert os.listdir(tmp_path) == []

"""Checkpoints load weights-only: a crafted file runs no code, mmengine's own
checkpoints load, and the weights a run writes need no allow-list."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub

from pt4al_seg.utils.checkpoint import UnsafeCheckpointError, load_checkpoint
from ..conftest import REPO, refusal


class Exploit:
    """Unpickling it opens (creates) ``marker``: any code could run there."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, 'w')


@pytest.fixture
def crafted(tmp_path):
    marker = tmp_path / 'code_ran'
    path = tmp_path / 'crafted.pth'
    torch.save(
        dict(state_dict=dict(w=torch.ones(1)), x=Exploit(str(marker))), path)
    return str(path), marker


def test_crafted_checkpoint_is_refused_and_runs_nothing(crafted):
    path, marker = crafted
    with pytest.raises(UnsafeCheckpointError) as e:
        load_checkpoint(path)
    message = str(e.value)
    assert path in message and 'io.open' in message
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1' in message
    assert '\n' not in message
    assert not marker.exists()


@pytest.mark.parametrize('option', ['al.features', 'model.pretrained'])
def test_a_run_refuses_a_crafted_checkpoint_before_any_work(
        crafted, tiny_scenes, tmp_path, option):
    path, marker = crafted
    line = refusal(
        tmp_path / 'run', tiny_scenes, [f'{option}={path}'] +
        (['al.picker.type=KCenterGreedy'] if option == 'al.features' else []))
    assert 'refused' in line and 'io.open' in line, line
    assert not marker.exists()


def test_mmengine_training_checkpoints_load(tmp_path):
    """What mmengine's CheckpointHook writes besides tensors: its message hub
    (HistoryBuffer objects of NumPy arrays and scalars)."""
    hub = MessageHub('ckpt_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('eta', np.float64(1.5))
    path = tmp_path / 'iter_1.pth'
    torch.save(
        dict(
            meta=dict(iter=1),
            state_dict=dict(w=torch.ones(2)),
            message_hub=hub.state_dict()), path)
    loaded = load_checkpoint(str(path))
    assert loaded['message_hub']['runtime_info']['eta'] == 1.5
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 0.5


def test_run_weights_load_with_plain_torch_load(finished_run):
    """A cycle's model.pth (what mmseg's tools load) holds tensors and plain
    values only: torch's weights-only unpickler reads it with no allow-list.
    """
    path = osp.join(finished_run, 'cycle_01', 'model.pth')
    ckpt = torch.load(path, weights_only=True)
    assert ckpt['meta']['dataset_meta']['classes'][0] == 'background'
    assert all(torch.is_tensor(v) for v in ckpt['state_dict'].values())


SNAPSHOT = '''
import sys
import torch, numpy, mmcv, mmengine, mmseg
import mmengine.config, mmengine.runner, mmseg.apis, mmseg.models
from mmengine.config.utils import MODULE2PACKAGE
from mmengine.runner import CheckpointLoader

def functions():
    out = {}
    for name, mod in list(sys.modules.items()):
        if mod is None or name.split('.')[0] not in (
                'torch', 'numpy', 'mmcv', 'mmengine', 'mmseg'):
            continue
        for key, value in list(vars(mod).items()):
            if callable(value):
                out[name, key] = id(value)
    return out

before = functions()
schemes = dict(CheckpointLoader._schemes)
packages = dict(MODULE2PACKAGE)
safe = list(torch.serialization.get_safe_globals())
import pt4al_seg
after = functions()
print('changed', sorted(k for k in before if after.get(k) != before[k]))
print('schemes', dict(CheckpointLoader._schemes) == schemes)
print('safe', list(torch.serialization.get_safe_globals()) == safe)
print('packages', sorted(set(MODULE2PACKAGE.items()) - set(packages.items())))
'''


def test_importing_the_package_changes_no_other_library():
    """Importing registers modules and the ``pt4al_seg::`` config scope, and
    replaces no function of torch, NumPy, mmcv, mmengine or mmseg, nor their
    checkpoint loaders or torch's allow-list."""
    out = subprocess.run([sys.executable, '-c', SNAPSHOT],
                         cwd=REPO,
                         capture_output=True,
                         text=True,
                         check=True).stdout.splitlines()
    assert out == [
        'changed []', 'schemes True', 'safe True',
        "packages [('pt4al_seg', 'pt4al_seg')]"
    ]

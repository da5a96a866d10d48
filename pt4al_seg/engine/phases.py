"""How the runner builds, starts and resumes a phase's mmengine Runner."""
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.runner import Runner, find_latest_checkpoint

from .hooks import FinalModelHook, ScoreProgressHook, drop_iter_checkpoints
from .init_weights import pretext_backbone_checkpoint
from .run_files import RunFiles


def build_phase_runner(cfg_dict: dict) -> Runner:
    """An mmengine Runner with the phase hooks: ``FinalModelHook`` when it
    trains, ``ScoreProgressHook`` when it scores."""
    runner = Runner.from_cfg(Config(cfg_dict))
    if cfg_dict.get('train_cfg'):
        runner.register_hook(FinalModelHook())
    if (cfg_dict.get('test_cfg') or {}).get('type') == 'ScoreLoop':
        runner.register_hook(ScoreProgressHook())
    return runner


def training_resumes(run_dir: str, resume: bool, mode: str) -> bool:
    """Whether an interrupted training phase in ``run_dir`` continues from
    mmengine's last checkpoint (``al.resume_training='checkpoint'``) or starts
    again (``'restart'``: its checkpoints are dropped; every phase seeds its
    own Runner, so a restart gives the uninterrupted result)."""
    if not (resume and osp.isdir(run_dir)):
        return False
    if mode == 'checkpoint':
        return find_latest_checkpoint(run_dir) is not None
    master_only(drop_iter_checkpoints)(run_dir)
    return False


def initial_weights(init: str, files: RunFiles, cycle: int,
                    pretext_checkpoint: Optional[str]) -> Optional[str]:
    """Where cycle ``cycle``'s model starts (``al.init``); None: scratch."""
    if init == 'previous':
        return files.cycle(cycle - 1, 'model.pth') if cycle else None
    if init == 'pretext':
        out = files.cycle(cycle, 'init_from_pretext.pth')
        master_only(pretext_backbone_checkpoint)(pretext_checkpoint, out)
        return out
    return None


@master_only
def dump_config(cfg_dict: dict, path: str) -> None:
    """``path`` (a ``.py`` config), written atomically by rank 0."""
    tmp = f'{path[:-3]}.tmp.py'
    Config(cfg_dict).dump(tmp)
    os.replace(tmp, path)

"""Building a phase's Runner and keeping its outputs tidy."""
import os
import os.path as osp

from mmengine.config import Config
from mmengine.dist import barrier, is_main_process
from mmengine.runner import Runner

from .faults import kill_hook


def build_runner(cfg_dict: dict, phase: str = '') -> Runner:
    """An mmengine Runner for one phase (with the test-only kill hook when asked for)."""
    runner = Runner.from_cfg(Config(cfg_dict))
    hook = kill_hook(phase)
    if hook is not None:
        runner.register_hook(hook)
    return runner


def save_model(runner: Runner, out_dir: str) -> None:
    """The final weights as ``out_dir/model.pth``, written atomically by rank 0."""
    runner.save_checkpoint(out_dir, 'model.pth.tmp', save_optimizer=False,
                           save_param_scheduler=False)
    if is_main_process():
        os.replace(osp.join(out_dir, 'model.pth.tmp'), osp.join(out_dir, 'model.pth'))
    barrier()


def drop_iter_checkpoints(run_dir: str) -> None:
    """Remove training checkpoints: they only serve to resume an unfinished phase."""
    if not is_main_process():
        return
    for name in os.listdir(run_dir):
        if (name.startswith(('iter_', 'epoch_')) and name.endswith('.pth')) \
                or name == 'last_checkpoint':
            os.remove(osp.join(run_dir, name))

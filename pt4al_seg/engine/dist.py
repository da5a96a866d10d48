"""Process-group setup for an active-learning run (all its phases share one
group)."""
import os

import torch
import torch.distributed as torch_dist
from mmengine.dist import init_dist, is_distributed

_OWNED = []  # process groups this module created (and so destroys)


def setup_dist(launcher: str, dist_cfg: dict) -> None:
    """Initialise the process group once, before any Runner is built.

    On GPUs this is mmengine's ``init_dist``. Without CUDA (CPU runs, tests)
    mmengine's pytorch launcher would call ``torch.cuda.set_device``; there the
    group is initialised with gloo from torchrun's environment instead.

    Args:
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        dist_cfg (dict): ``env_cfg.dist_cfg`` of the config (backend etc.).
    """
    if launcher == 'none' or is_distributed():
        return
    _OWNED.append(True)
    if torch.cuda.is_available():
        init_dist(launcher, **dist_cfg)
        return
    if launcher != 'pytorch':
        raise ValueError(
            f'--launcher {launcher} needs CUDA; on CPU use torchrun with '
            '--launcher pytorch (gloo)')
    missing = [
        k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
        if k not in os.environ
    ]
    if missing:
        raise ValueError(
            f'--launcher pytorch expects torchrun\'s environment; {missing} '
            'unset')
    torch_dist.init_process_group(backend='gloo')


def teardown_dist() -> None:
    """Wait for every rank, then destroy the group :func:`setup_dist` created
    (gloo aborts a process that exits with a live group: 'terminate called
    without an active exception')."""
    if _OWNED and is_distributed():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
        _OWNED.clear()


def cpu_model_wrapper(launcher: str):
    """The DDP wrapper config for CPU processes (mmengine passes
    ``device_ids=[rank]``, which DDP rejects for a CPU module), or None to keep
    mmengine's default."""
    if launcher == 'none' or torch.cuda.is_available():
        return None
    return dict(type='MMDistributedDataParallel', device_ids=None)


def sync_buffers(model: torch.nn.Module) -> None:
    """Give every rank rank 0's buffers (BatchNorm's running statistics)
    before a model that just trained is tested or scores.

    DDP keeps the parameters equal on every rank, but each rank's own batches
    move its statistics; rank 0's model is the one saved, so it is the one
    every rank must use: the scores and the mIoU are then those of the
    ``model.pth`` the run leaves, whatever the number of processes.
    """
    if is_distributed():
        for buffer in model.buffers():
            torch_dist.broadcast(buffer, 0)

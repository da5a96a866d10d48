"""How the runner builds, starts and resumes a phase's mmengine Runner."""
import logging
import os
import os.path as osp
import pickle
from typing import Optional

from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.runner import Runner, find_latest_checkpoint

from ..utils.errors import refusal, unsafe_reason
from .init_weights import pretext_backbone_checkpoint
from .phase_hooks import (FinalModelHook, PhaseProgressHook,
                          drop_iter_checkpoints)
from .run_files import RunFiles


class _OncePerProcess(logging.Filter):
    """Lets each distinct console message through once (every phase has a
    logger of its own; mmengine's duplicate filter works per logger)."""

    def __init__(self):
        super().__init__()
        self.seen = set()

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if msg in self.seen:
            return False
        self.seen.add(msg)
        return True


_ONCE = _OncePerProcess()


class PhaseConfig(Config):
    """A phase's config, formatted once (mmengine formats a config with yapf,
    about 0.3 s on the 2-core machine, each time a Runner dumps it or saves a
    checkpoint). The text is kept with the settings it was made from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        super(Config, self).__setattr__('_pretty', (None, None))

    @property
    def pretty_text(self) -> str:
        key = repr(self._cfg_dict)
        if self._pretty[0] != key:
            super(Config, self).__setattr__('_pretty',
                                            (key, super().pretty_text))
        return self._pretty[1]


class PhaseRunner(Runner):
    """The mmengine Runner of one phase of an active-learning run. Its log
    lines (iterations, metrics) go to its log file; the console gets its
    warnings, each once per run, and a progress bar (``PhaseProgressHook``).
    The run logs the environment and the config once (``al_<timestamp>.log``).
    A checkpoint it loads that weights-only unpickling refuses
    (:mod:`pt4al_seg.utils.checkpoint`) is named in a one-line error.
    """

    def load_checkpoint(self, filename: str, *args, **kwargs):
        try:
            return super().load_checkpoint(filename, *args, **kwargs)
        except pickle.UnpicklingError as e:
            _refuse(filename, e)

    def resume(self, filename: str, *args, **kwargs) -> None:
        try:
            super().resume(filename, *args, **kwargs)
        except pickle.UnpicklingError as e:
            _refuse(filename, e)

    def build_logger(self, *args, **kwargs):
        logger = super().build_logger(*args, **kwargs)
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:  # not the file's
                handler.setLevel(max(handler.level, logging.WARNING))
                handler.addFilter(_ONCE)
        return logger

    def _log_env(self, env_cfg: dict) -> None:
        self.logger.info(f'{self.experiment_name}: one phase of an '
                         'active-learning run; environment and config: the '
                         "run's al_<timestamp>.log in its work dir")


def _refuse(filename: str, e: pickle.UnpicklingError) -> None:
    reason = unsafe_reason(e)
    if reason is None:
        raise e
    raise refusal(filename, reason) from e


def build_phase_runner(cfg_dict: dict) -> Runner:
    """A phase's Runner with its hooks: ``FinalModelHook`` when it trains,
    ``PhaseProgressHook`` always."""
    runner = PhaseRunner.from_cfg(PhaseConfig(cfg_dict))
    if cfg_dict.get('train_cfg'):
        runner.register_hook(FinalModelHook())
    runner.register_hook(PhaseProgressHook())
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
    PhaseConfig(cfg_dict).dump(tmp)
    os.replace(tmp, path)

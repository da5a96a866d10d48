"""The run's own log: a short story on the console, and in
``<work_dir>/al_<timestamp>.log`` that story plus, once per invocation, the
environment and the full config (the phases' logs hold their own lines)."""
import logging
import os
import os.path as osp
import time
import warnings

from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.utils.dl_utils import collect_env


def open_run_log(work_dir: str, cfg: Config) -> MMLogger:
    """The logger of an active-learning run (rank 0 writes the file)."""
    stamp = time.strftime('%Y%m%d_%H%M%S', time.localtime())
    logger = MMLogger.get_instance(
        f'pt4al_run_{stamp}_{os.getpid()}',
        logger_name='pt4al_seg',
        log_file=osp.join(work_dir, f'al_{stamp}.log'),
        log_level='INFO')
    env = '\n    '.join(f'{k}: {v}' for k, v in collect_env().items())
    with file_only(logger):
        logger.info(f'System environment:\n    {env}')
        logger.info(f'Config:\n{cfg.pretty_text}')
    return logger


class file_only:
    """Within this context the logger's console handler stays quiet."""

    def __init__(self, logger: logging.Logger):
        self.consoles = [
            h for h in logger.handlers if type(h) is logging.StreamHandler
        ]

    def __enter__(self):
        self.levels = [h.level for h in self.consoles]
        for h in self.consoles:
            h.setLevel(logging.CRITICAL + 1)

    def __exit__(self, *exc):
        for h, level in zip(self.consoles, self.levels):
            h.setLevel(level)


class warnings_once:
    """Within this context each distinct Python warning is shown once: every
    phase builds its models and datasets again, and mmengine resets the
    warnings registry as it goes, so library warnings would repeat per phase.
    """

    def __enter__(self):
        self.show, seen = warnings.showwarning, set()

        def show_once(message, category, *args, **kwargs):
            key = (str(message), category)
            if key not in seen:
                seen.add(key)
                self.show(message, category, *args, **kwargs)

        warnings.showwarning = show_once

    def __exit__(self, *exc):
        warnings.showwarning = self.show

"""Preflight: before anything is written, every phase of a new run runs its
real Runner on two of the pool's images for one iteration (two others are the
scoring pass's candidates), so that a config that would crash in any phase
fails in seconds.

The preflight's run is the run itself with its files in a folder beside the
work dir (removed after), its schedules cut to one iteration (data loaders
without workers, the test split cut to two images) and one cycle (the last:
no committee member is trained, no snapshot kept, which
``CommitteeHook.check`` checks against the real schedule). It runs the hooks'
phases (PT4AL's pretext training and scoring), cycle 0's training with what
the hooks add to it (unlabelled batches) and its test, the scoring pass with
the strategy's query and picker outputs (a committee's members: the model
itself) and a checkpoint's features pass.
"""
import copy
import logging
import os
import os.path as osp
import pickle
import shutil
from contextlib import contextmanager
from dataclasses import replace

from mmengine.config import Config
from mmengine.dist import barrier, is_main_process

from ..utils.checkpoint import save_weights
from ..utils.config import leaf_datasets
from ..utils.errors import ALConfigError, UserError, refusal, unsafe_reason
from .run_files import RunFiles
from .scoring import score_candidates
from .state import ALState

# Known failures and the setting that fixes them.
HINTS = {
    'only one of size and size_divisor should be valid':
    'data_preprocessor has neither size nor size_divisor: set crop_size and '
    'model.data_preprocessor.size=crop_size (training images are cropped or '
    'padded to one size to be stacked)',
    'stack expects each tensor to be equal size':
    'images of different sizes in one batch: set al.score_batch_size=1 or '
    'add a Resize to the pipeline',
    'The image size in a batch should be the same':
    'images of different sizes in one batch: set al.score_batch_size=1 or '
    'add a Resize to the pipeline',
}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@contextmanager
def phase(name: str):
    """Any error meanwhile becomes one ``ALConfigError`` naming the phase
    (a known one with the setting that fixes it)."""
    try:
        yield
    except UserError as e:
        raise ALConfigError(f'preflight of {name} failed: {e}') from e
    except pickle.UnpicklingError as e:
        if unsafe_reason(e) is None:
            raise
        raise refusal(
            f'preflight of {name}: a checkpoint the model loads '
            '(model.pretrained or an init_cfg)', unsafe_reason(e)) from e
    except Exception as e:  # any crash here would have crashed the run
        text = ' '.join(str(e).split()) or type(e).__name__
        hint = next((h for k, h in HINTS.items() if k in text), None)
        raise ALConfigError(f'preflight of {name} failed: ' + (
            hint or f'{type(e).__name__}: {text[:300]}')) from e


def one_iteration(cfg: Config) -> Config:
    """``cfg`` with every schedule one iteration (or epoch) long, loaders
    without workers and the test split cut to two images."""
    cfg = copy.deepcopy(cfg)
    for train_cfg in (cfg.get('train_cfg'), (cfg.get('pretext')
                                             or {}).get('train_cfg')):
        for key in ('max_iters', 'max_epochs'):
            if (train_cfg or {}).get(key):
                train_cfg[key] = 1
    for key in LOADERS:
        loader = cfg.get(key)
        if loader:
            loader.update(num_workers=0, persistent_workers=False)
    if cfg.get('test_dataloader'):
        for dataset in leaf_datasets(cfg.test_dataloader.dataset):
            dataset['indices'] = 2
    return cfg


@contextmanager
def scratch_dir(work_dir: str):
    """A folder beside ``work_dir`` that every rank sees (processes on other
    nodes too, as they see the work dir), made by rank 0 and removed when
    done: the work dir itself stays untouched until the checks pass."""
    path = osp.join(
        osp.dirname(osp.abspath(work_dir)),
        f'.{osp.basename(osp.abspath(work_dir))}.preflight')
    if is_main_process():
        shutil.rmtree(path, ignore_errors=True)  # a killed preflight's
        os.makedirs(path)
    barrier()
    try:
        yield path
    except BaseException:  # the other ranks may be inside a collective
        if is_main_process():
            shutil.rmtree(path, ignore_errors=True)
        raise
    barrier()
    if is_main_process():
        shutil.rmtree(path, ignore_errors=True)


def preflight(runner) -> None:
    """Every phase of a new run ``runner`` on two of its images (see the
    module)."""
    with scratch_dir(runner.files.work_dir) as tmp:
        run = copy.copy(runner)
        run.cfg = one_iteration(runner.cfg)
        run.settings = replace(runner.settings, num_cycles=1, budget=2)
        run.files = RunFiles(tmp)
        run.state = ALState(osp.join(tmp, 'al_state.json'))
        run.resume = False
        run.logger = logging.getLogger('pt4al_seg.preflight')
        run.logger.addHandler(logging.NullHandler())
        run.logger.propagate = False
        ids = runner.pool.ids[:2]
        candidates = runner.pool.ids[2:4] or runner.pool.ids[-1:]
        ids_file = run.files.cycle(0, 'labelled.txt')
        run.files.write_ids(ids_file, ids)
        for hook in runner.hooks:
            hook.preflight(run, ids_file, tmp)
        model = run.files.cycle(0, 'model.pth')
        if runner.labels.on_disk:
            with phase('cycle training'):
                trained = run.train_model(0, run.files.cycle(0))
            if runner.evaluated:
                with phase('cycle test'):
                    trained.test()
        else:  # annotation: no label exists yet, an untrained model scores
            with phase('scoring'):
                save_weights(model, untrained(run.cfg).state_dict(), {})
        strategy = runner.strategy
        if strategy.needs_model:
            members = [model] * getattr(strategy.query, 'num_members', 0)
            with phase('scoring'):
                score_candidates(run, 1, strategy, candidates, model, members)
        if any(
                s.needs_features and not s.model_features
                for s in (strategy, runner.cold_start)):
            with phase('features pass'):
                runner.feature_source.preflight(run, ids_file, tmp)


def untrained(cfg: Config):
    """The task model of ``cfg`` as built (PyTorch's initialisation)."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    return MODELS.build(cfg.model)

"""Derive each phase's Runner config (pretext, scoring, cycle training) from a
run's config.

Every phase is an ordinary mmengine/mmseg run; these functions only restrict
datasets to id lists (an mmseg ``ann_file`` given by absolute path), swap
pipelines and models, and give each Runner its own ``experiment_name``
(mmengine's logger, message hub and visualizer are process-wide singletons
keyed by it).
"""
import copy
import itertools
import os.path as osp
import time
from typing import List, Optional

from mmengine.config import Config

from ..datasets.label_maps import use_label_loader
from ..evaluation.score_shards import shard_dir_of
from .dist import cpu_model_wrapper
from .pool import Pool

# Keys of a run's config that only the active-learning runner reads; phase
# configs drop them (a cycle's config.py is an ordinary mmseg config).
AL_KEYS = ('al', 'al_hooks', 'pretext', 'score_pipeline', 'runner_type')
_counter = itertools.count()


def _phase(cfg: Config, work_dir: str, phase: str) -> dict:
    c = copy.deepcopy(cfg.to_dict())
    for key in AL_KEYS:
        c.pop(key, None)
    name = f'{osp.basename(osp.dirname(work_dir.rstrip("/")))}_{phase}_' \
           f'{time.strftime("%Y%m%d_%H%M%S")}_{next(_counter)}'
    c.update(
        work_dir=work_dir, experiment_name=name, resume=False, load_from=None)
    wrapper = cpu_model_wrapper(c.get('launcher', 'none'))
    if wrapper is not None and c.get('model_wrapper_cfg') is None:
        c['model_wrapper_cfg'] = wrapper
    if c.get('visualizer') is not None:
        c['visualizer']['name'] = name
    return c


def _no_train(c: dict) -> None:
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler'):
        c[key] = None


def _no_val(c: dict) -> None:
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator'):
        c[key] = None


def _no_visualization(c: dict) -> None:
    """Pretext and scoring runs draw no segmentation predictions."""
    (c.get('default_hooks') or {}).pop('visualization', None)


def subset_dataset(cfg: Config, ann_file: str, pipeline: list) -> dict:
    """The training dataset config restricted to the ids in ``ann_file``."""
    dataset = copy.deepcopy(cfg.to_dict()['train_dataloader']['dataset'])
    dataset.update(
        ann_file=osp.abspath(ann_file), pipeline=copy.deepcopy(pipeline))
    return dataset


def score_loader(cfg: Config, dataset: dict) -> dict:
    """A deterministic, unshuffled dataloader for scoring."""
    return dict(
        batch_size=cfg.al.score_batch_size,
        num_workers=cfg.train_dataloader.get('num_workers', 0),
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dataset)


def _score_metric(pool: Pool, metric: dict, out_dir: str,
                  ids_file: str) -> dict:
    """``metric`` for the pool's images, keeping its rows in shards under
    ``out_dir`` (a killed pass resumes)."""
    return dict(
        metric,
        img_dir=pool.img_dir,
        img_suffix=pool.img_suffix,
        shard_dir=shard_dir_of(out_dir),
        ids_file=osp.abspath(ids_file))


def pretext_config(cfg: Config,
                   pool: Pool,
                   pretext_dir: str,
                   pool_file: str,
                   train: bool,
                   left_file: Optional[str] = None) -> dict:
    """The pretext stage: train on every pool image (no labels), then score
    each one (``losses.csv``) and keep its pooled feature
    (``features.npz``).

    Args:
        cfg (Config): The run's config.
        pool (Pool): The run's training images (their folder turns paths into
            ids).
        pretext_dir (str): ``<work_dir>/pretext``.
        pool_file (str): The list of every training image id.
        train (bool): Include the training parts; False gives a scoring-only
            run.
        left_file (str, optional): Score only these ids (those an interrupted
            pass left). Defaults to None (the pool).

    Returns:
        dict: The Runner config.
    """
    p = cfg.pretext
    c = _phase(cfg, pretext_dir, 'pretext')
    model = copy.deepcopy(p.to_dict()['model'])
    if model.get(
            'backbone') is None:  # the task model's backbone family by default
        model['backbone'] = copy.deepcopy(cfg.to_dict()['model']['backbone'])
    c['model'] = model
    _no_val(c)
    if train:
        c['train_dataloader'] = dict(
            copy.deepcopy(cfg.to_dict()['train_dataloader']),
            batch_size=p.batch_size,
            dataset=subset_dataset(cfg, pool_file, p.train_pipeline))
        c['train_cfg'] = copy.deepcopy(p.train_cfg)
        c['optim_wrapper'] = copy.deepcopy(p.optim_wrapper)
        c['param_scheduler'] = copy.deepcopy(p.get('param_scheduler'))
    else:
        _no_train(c)
    c['test_dataloader'] = score_loader(
        cfg, subset_dataset(cfg, left_file or pool_file, p.score_pipeline))
    c['test_evaluator'] = _score_metric(
        pool,
        dict(
            type='PretextLossMetric',
            out_file=osp.join(pretext_dir, 'losses.csv'),
            features_file=osp.join(pretext_dir, 'features.npz')), pretext_dir,
        pool_file)
    c['test_cfg'] = dict(type='ScoreLoop', bf16=cfg.al.bf16, features=True)
    _no_visualization(c)
    return c


def score_config(cfg: Config,
                 pool: Pool,
                 cycle_dir: str,
                 ids_file: str,
                 checkpoint: str,
                 metric: dict,
                 features: bool = False,
                 left_file: Optional[str] = None,
                 members: Optional[List[str]] = None,
                 head_io: bool = False) -> dict:
    """A test-only run of a trained task model over ``ids_file`` (or the
    ``left_file`` an interrupted pass left) with ``score_pipeline`` (no
    ``LoadAnnotations``: no label is read), collecting ``metric`` (e.g.
    ``StrategyOutputsMetric``); ``features`` attaches pooled backbone
    features, ``members`` (checkpoints of the same model) each image's
    probabilities under each of them, ``head_io`` the input and output of
    the model's last layer."""
    c = _phase(cfg, cycle_dir, 'score')
    _no_train(c)
    _no_val(c)
    _no_visualization(c)
    c['load_from'] = checkpoint
    c['test_dataloader'] = score_loader(
        cfg, subset_dataset(cfg, left_file or ids_file, cfg.score_pipeline))
    c['test_evaluator'] = _score_metric(pool, metric, cycle_dir, ids_file)
    c['test_cfg'] = dict(
        type='ScoreLoop',
        bf16=cfg.al.bf16,
        features=features,
        members=list(members or []),
        head_io=head_io)
    return c


def cycle_config(cfg: Config,
                 cycle_dir: str,
                 labelled_file: str,
                 load_from: Optional[str],
                 resume: bool,
                 palette: Optional[dict] = None) -> dict:
    """Train the task model on the labelled images and test it on the test
    split. Label maps load with :class:`LoadLabelMap` (3-channel maps, and
    colour-coded ones given ``palette``).

    Validation during training is left out: the cycle is evaluated once, by
    ``test()``, with the final weights, so ``config.py`` + ``model.pth``
    reproduce its metric.
    """
    c = _phase(cfg, cycle_dir, 'cycle')
    _no_val(c)
    c['train_dataloader']['dataset']['ann_file'] = osp.abspath(labelled_file)
    c['load_from'] = load_from
    c['resume'] = resume
    for loader in ('train_dataloader', 'test_dataloader'):
        dataset = (c.get(loader) or {}).get('dataset') or {}
        if 'pipeline' in dataset:
            dataset['pipeline'] = use_label_loader(dataset['pipeline'],
                                                   palette)
    extra = model_test_metrics(c['model'])
    if extra and c.get('test_evaluator'):
        metrics = c['test_evaluator']
        metrics = list(metrics) if isinstance(metrics, list) else [metrics]
        c['test_evaluator'] = metrics + extra
    return c


def model_test_metrics(model: dict) -> List[dict]:
    """The metrics a model class asks its cycles' test to add (its
    ``test_metrics``, e.g. Learning Loss's ranking accuracy)."""
    from mmseg.registry import MODELS
    cls = MODELS.get(model.get('type', ''))
    return copy.deepcopy(list(getattr(cls, 'test_metrics', [])))

"""Preflight: before anything trains, one batch of the real data through every
phase, so that a config that would crash in any phase fails in seconds."""
import os.path as osp
import pickle
import tempfile
from contextlib import nullcontext
from typing import List, Optional

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope

from ..evaluation.strategy_outputs import HEAD_OUTPUTS
from ..models.feature_taps import (attach_last_layer_io, last_layer_io,
                                   pooled_backbone_output)
from ..models.mc_dropout import (NO_DROPOUT, dropout_layers, mc_probs,
                                 output_logits)
from ..models.unlabelled import UNLABELLED
from ..utils import write_ids
from ..utils.errors import refusal, unsafe_reason
from . import phase_configs as pc
from .checkpoint_features import from_checkpoint, pass_config
from .settings import ALConfigError

# Known failures and the setting that fixes them.
HINTS = {
    'only one of size and size_divisor should be valid':
    'data_preprocessor has neither size nor size_divisor: set crop_size and '
    'model.data_preprocessor.size=crop_size (training images are cropped or '
    'padded to one size to be stacked)',
    'stack expects each tensor to be equal size':
    'images of different sizes in one batch: set al.score_batch_size=1 or '
    'add a Resize to the pipeline',
}


def check_phase(phase: str,
                cfg_dict: dict,
                loader: str,
                mode: str,
                unlabelled: bool = False) -> None:
    """Build ``cfg_dict``'s model and push one batch of ``loader`` through its
    pipeline, data preprocessor and forward (``mode``: ``'loss'`` for a
    training phase, ``'predict'`` for a test or scoring phase), on the GPU when
    there is one; raise ``ALConfigError`` naming the phase.

    Args:
        phase (str): The phase's name in messages.
        cfg_dict (dict): The phase's Runner config.
        loader (str): ``'train_dataloader'`` or ``'test_dataloader'``.
        mode (str): ``'loss'`` or ``'predict'``.
        unlabelled (bool): Mark the second half of the batch as unlabelled
            images (what ``UnlabelledBatchHook`` adds to a training batch).
            Defaults to False.
    """
    from mmseg.registry import DATASETS, METRICS, MODELS
    cfg_dict = Config(cfg_dict)  # attribute access, as a Runner has it
    init_default_scope(cfg_dict.get('default_scope', 'mmseg'))
    try:
        model = MODELS.build(cfg_dict['model'])
        model.init_weights()  # loads model.pretrained / init_cfg checkpoints
        model.to('cuda' if torch.cuda.is_available() else 'cpu')
        model.train(mode == 'loss')
        dataset = DATASETS.build(cfg_dict[loader]['dataset'])
        size = min(cfg_dict[loader].get('batch_size', 1), len(dataset))
        batch = pseudo_collate([dataset[i] for i in range(size)])
        for sample in batch['data_samples'][size // 2:] \
                if unlabelled and size > 1 else []:
            sample.set_metainfo({UNLABELLED: True})
        loop = cfg_dict.get('test_cfg') or {}
        head_io = mode == 'predict' and loop.get('head_io', False)
        pooled = mode == 'predict' and loop.get('features', False)
        with torch.no_grad():
            data = model.data_preprocessor(batch, training=mode == 'loss')
            with (last_layer_io(model) if head_io else nullcontext()) as io, \
                    (pooled_backbone_output(model)
                     if pooled else nullcontext()) as feats:
                outputs = model(**data, mode=mode)
        if head_io:
            attach_last_layer_io(outputs, io)
        for sample, feat in zip(outputs, feats['feat'] if pooled else []):
            sample.pooled_feat = feat
        evaluator = cfg_dict.get('test_evaluator')
        if mode == 'predict' and isinstance(evaluator, dict):
            metric = METRICS.build(evaluator)
            samples = getattr(getattr(metric, 'query', None), 'mc_samples', 0)
            if samples:  # Monte-Carlo dropout queries: the passes they score
                dropout = dropout_layers(model)
                if not dropout:
                    raise ALConfigError(
                        f'preflight of {phase} failed: {NO_DROPOUT}')
                with torch.no_grad():
                    probs = mc_probs(model, batch, samples, dropout)
                for sample, p in zip(outputs, probs):
                    sample.mc_probs = p
            members = getattr(getattr(metric, 'query', None), 'num_members', 0)
            for sample in outputs if members else []:
                # a committee's members: the model stands in for them
                probs = output_logits(sample).float().softmax(0)
                sample.member_probs = torch.stack([probs] * members)
            evaluator = Evaluator(metric)
            evaluator.dataset_meta = dataset.metainfo
            evaluator.process(outputs, batch)
    except ALConfigError:
        raise
    except pickle.UnpicklingError as e:
        if unsafe_reason(e) is None:
            raise
        raise refusal(
            f'preflight of {phase}: a checkpoint the model loads '
            '(model.pretrained or an init_cfg)', unsafe_reason(e)) from e
    except Exception as e:  # any crash here would have crashed the run
        text = ' '.join(str(e).split()) or type(e).__name__
        hint = next((h for k, h in HINTS.items() if k in text), None)
        raise ALConfigError(f'preflight of {phase} failed: ' + (
            hint or f'{type(e).__name__}: {text[:300]}')) from e


def preflight(runner, ids: Optional[List[str]] = None) -> None:
    """Every phase of a new run on a few of its images: the hooks' phases
    (PT4AL's pretext training and scoring), a cycle's training and test, and
    a scoring pass with the strategy's query and picker outputs."""
    ids = ids or runner.pool.ids[:16]
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = osp.join(tmp, 'ids.txt')
        write_ids(ids_file, ids)
        for hook in runner.hooks:
            hook.preflight(runner, ids_file, tmp)
        cfg = runner.cfg
        cycle = pc.cycle_config(cfg, tmp, ids_file, None, False,
                                runner.pool.palette)
        if runner.labels.on_disk:  # annotation: no label exists yet
            # with unlabelled images beside the labelled ones where the
            # strategy trains on them (MCDAL, VAAL)
            check_phase(
                'cycle training',
                cycle,
                'train_dataloader',
                'loss',
                unlabelled=any(
                    getattr(h, 'adds_unlabelled', False)
                    for h in runner.hooks))
        if runner.evaluated:
            check_phase('cycle test', cycle, 'test_dataloader', 'predict')
        strategy = runner.strategy
        if strategy.needs_model:
            scores = 'score' in strategy.needs and strategy.query.needs_model
            head = [n for n in HEAD_OUTPUTS if n in strategy.needs]
            metric = dict(
                type='StrategyOutputsMetric',
                query=strategy.query_cfg if scores else None,
                region_mask=runner.settings.region_mask,
                image_class=dict(
                    exclude=[]) if 'class' in strategy.needs else None,
                head_outputs=head)
            scoring = pc.score_config(
                cfg,
                runner.pool,
                tmp,
                ids_file,
                None,
                metric,
                head_io=bool(head))
            check_phase('scoring', scoring, 'test_dataloader', 'predict')
        if from_checkpoint(runner.settings.features) and any(
                s.needs_features for s in (strategy, runner.cold_start)):
            check_phase('features pass',
                        pass_config(runner, tmp, ids_file, None),
                        'test_dataloader', 'predict')

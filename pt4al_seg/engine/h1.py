"""Does the pretext loss predict the task loss? (the paper's Figure 2)

Both losses are measured per image on held-out images (the config's test
split): the pretext model scores them without labels; a task model trained on
the training split (e.g. the full-supervision run) gives each image's
cross-entropy against its labels. The Spearman rank correlation (SciPy) between
the two, with its p-value, is the measure; a training-set loss of a model that
saw those labels would not be.
"""
import copy
import os
import os.path as osp
from typing import Dict

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner
from scipy.stats import spearmanr

from ..datasets.label_maps import use_label_loader
from ..utils import atomic_write, read_scores, write_ids
from . import phase_configs as pc
from .pool import load_pool
from .settings import ALSettings


def held_out_as_pool(cfg: Config) -> Config:
    """A copy of ``cfg`` whose 'training' dataset is the test split (to reuse
    the pretext phase config on held-out images)."""
    out = copy.deepcopy(cfg)
    test = copy.deepcopy(cfg.to_dict()['test_dataloader']['dataset'])
    out.train_dataloader.dataset = test
    return out


def measure(cfg: Config,
            pretext_ckpt: str,
            task_ckpt: str,
            work_dir: str,
            build_runner=None) -> Dict[str, str]:
    """Write ``pretext_losses.csv`` and ``task_losses.csv`` for the held-out
    images; ``build_runner(config, name)`` builds each pass's Runner
    (default: ``Runner.from_cfg``; the active-learning runner passes its own,
    which every rank meets)."""
    if build_runner is None:
        build_runner = lambda c, name: Runner.from_cfg(Config(c))  # noqa
    held = held_out_as_pool(cfg)
    held.al = ALSettings.from_config(cfg).to_dict()
    pool = load_pool(held, held.al['label_palette'])
    ids_file = osp.join(work_dir, 'images.txt')
    write_ids(ids_file, pool.ids)
    c = pc.pretext_config(
        held, pool, osp.join(work_dir, 'pretext'), ids_file, train=False)
    c['load_from'] = pretext_ckpt
    c['test_evaluator'].update(
        out_file=osp.join(work_dir, 'pretext_losses.csv'),
        features_file=None,
        shard_dir=None)
    c['test_cfg']['features'] = False
    build_runner(c, 'h1_pretext').test()
    c = pc.score_config(
        held, pool, osp.join(work_dir, 'task'), ids_file, task_ckpt,
        dict(
            type='TaskLossMetric',
            out_file=osp.join(work_dir, 'task_losses.csv')))
    c['test_evaluator']['shard_dir'] = None
    # the task loss needs the labels of these held-out images: the test
    # pipeline loads them
    c['test_dataloader']['dataset']['pipeline'] = use_label_loader(
        cfg.to_dict()['test_dataloader']['dataset']['pipeline'], pool.palette)
    build_runner(c, 'h1_task').test()
    return dict(
        pretext=osp.join(work_dir, 'pretext_losses.csv'),
        task=osp.join(work_dir, 'task_losses.csv'))


def correlate(pretext: Dict[str, float],
              task: Dict[str, float],
              work_dir: str,
              title: str = '',
              name: str = 'analysis') -> Dict[str, float]:
    """Spearman's rho between the two losses; writes ``<name>.csv`` (the
    per-image losses) and ``<name>.png`` (the rank scatter).

    Returns:
        dict: ``rho``, ``p_value`` and ``num_images``.
    """
    ids = sorted(set(pretext) & set(task))
    if len(ids) < 3:
        raise ValueError(
            f'need at least 3 images measured by both models, got {len(ids)}')
    x = np.array([pretext[i] for i in ids])
    y = np.array([task[i] for i in ids])
    rho, p = spearmanr(x, y)
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rank = lambda v: (np.argsort(np.argsort(v)) + 0.5) / len(v)  # noqa: E731
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.scatter(rank(x), rank(y), s=6, alpha=0.6)
    ax.set_xlabel('pretext loss (normalised rank)')
    ax.set_ylabel('task loss (normalised rank)')
    ax.set_title(
        f'{title} Spearman rho={rho:.3f} (p={p:.2g}, n={len(ids)})',
        fontsize=9)
    fig.tight_layout()
    png = osp.join(work_dir, f'{name}.png')
    fig.savefig(f'{png}.tmp{os.getpid()}.png', dpi=100)
    os.replace(f'{png}.tmp{os.getpid()}.png', png)
    plt.close(fig)
    atomic_write(
        osp.join(work_dir, f'{name}.csv'), 'image,pretext_loss,task_loss\n' +
        ''.join(f'{i},{pretext[i]!r},{task[i]!r}\n' for i in ids))
    return dict(rho=float(rho), p_value=float(p), num_images=len(ids))


def analyze(cfg: Config, pretext_ckpt: str, task_ckpt: str,
            work_dir: str) -> Dict[str, float]:
    files = measure(cfg, pretext_ckpt, task_ckpt, work_dir)
    return correlate(
        read_scores(files['pretext'], 'loss'),
        read_scores(files['task'], 'loss'), work_dir,
        cfg.pretext.model.type.replace('Pretext', ''))


def run_h1(runner) -> Dict[str, float]:
    """H1 of an active-learning run (``runner``, whose test split is
    labelled): its pretext model's loss against its last cycle's task loss
    on the held-out images, every rank meeting each pass; rank 0 writes
    ``pretext/h1.csv``, ``h1.png`` and, last, ``h1.json`` (``rho``,
    ``p_value``, ``num_images``; the passes' files in ``pretext/h1/``).
    Returns the result (None on other ranks)."""
    from mmengine.dist import barrier, is_main_process

    from ..utils import write_json
    work = runner.files.path('pretext', 'h1')
    os.makedirs(work, exist_ok=True)
    last = runner.settings.num_cycles - 1
    files = measure(runner.cfg, runner.pretext_checkpoint,
                    runner.files.cycle(last, 'model.pth'), work,
                    runner.run_phase)
    result = None
    if is_main_process():
        result = correlate(
            read_scores(files['pretext'], 'loss'),
            read_scores(files['task'], 'loss'), runner.files.path('pretext'),
            runner.cfg.pretext.model.type.replace('Pretext', ''), 'h1')
        write_json(runner.files.path('pretext', 'h1.json'), result)
    barrier()
    return result

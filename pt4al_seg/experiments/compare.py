"""Strategies x seeds for one config: the runs, their aggregation, a plot and a
table."""
import csv
import io
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from ..engine.pretext_source import pretext_source
from ..utils import atomic_write
from ..utils.errors import UserError

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

# A pool strategy from a PT4AL config: no pretext stage, a seeded random first
# cycle.
POOL = [
    'al_hooks=[]', 'al.cold_start.query.type=Random',
    'al.cold_start.query.seed={seed}', 'al.cold_start.picker.type=TopK'
]
# A pool strategy on the pretext model's features: the pretext stage without
# its batches.
PRETEXT_POOL = ['al_hooks.0.batches=False', 'al.features=pretext']
# Strategy name -> the --cfg-options that make it from a PT4AL config: a query
# and a picker (pt4al_seg.registry), with or without the pretext stage
# (PretextBatchHook).
STRATEGIES: Dict[str, List[str]] = {
    'pt4al': [],
    'pt4al-entropy': ['al.query.type=Entropy'],
    'pt4al-ascending': ['al_hooks.0.order=ascending'],
    'pt4al-balanced': ['al.picker.type=ClassBalanced'],
    'pt4al-bald': ['al.query.type=BALD'],
    'coreset':
    POOL + ['al.picker.type=KCenterGreedy'],
    'learning-loss':
    POOL + ['al.query.type=PredictedLoss', 'model.type={learning_loss_model}'],
    'random':
    POOL + ['al.query.type=Random', 'al.query.seed={seed}'],
    'lc':
    POOL + ['al.query.type=LeastConfidence'],
    'entropy':
    POOL + ['al.query.type=Entropy'],
    'margin':
    POOL + ['al.query.type=Margin'],
    # Monte-Carlo dropout (10 passes with the model's dropout active)
    'bald':
    POOL + ['al.query.type=BALD'],
    'varratio':
    POOL + ['al.query.type=VariationRatio'],
    'meanstd':
    POOL + ['al.query.type=MeanStd'],
    # query-by-committee: 3 models, 2 of them extra seeded trainings
    'qbc':
    POOL + ['al.query.type=VoteEntropy'],
    'qbc-kl':
    POOL + ['al.query.type=ConsensusKL'],
    # ... or the cycle's one training and 2 of its snapshots
    'qbc-snapshot':
    POOL + ['al.query.type=VoteEntropy', 'al.query.committee=snapshots'],
    # the model against itself a tenth of the training earlier / the previous
    # cycle's model
    'tod':
    POOL + ['al.query.type=TOD'],
    'cod':
    POOL + ['al.query.type=COD'],
    'pt4al-tod': ['al.query.type=TOD'],
    # typical points of uncovered clusters / greedy coverage of delta-balls on
    # the pretext model's pooled features (self-supervised, as the papers),
    # from the first cycle on
    'typiclust':
    PRETEXT_POOL + [
        f'al.{p}.{k}' for p in ('cold_start.picker', 'picker')
        for k in ('type=TypiClust', 'seed={seed}')
    ],
    'probcover':
    PRETEXT_POOL + [
        f'al.{p}.{k}' for p in ('cold_start.picker', 'picker')
        for k in ('type=ProbCover', 'seed={seed}')
    ],
    # ... on the previous cycle's task model (a random first cycle)
    'typiclust-task':
    POOL + ['al.picker.type=TypiClust', 'al.picker.seed={seed}'],
    'probcover-task':
    POOL + ['al.picker.type=ProbCover', 'al.picker.seed={seed}'],
    # PT4AL with either as its cycle-0 pick from batch 0 (on the pretext
    # model's features) instead of every N-th image
    'pt4al-typiclust-start': [
        'al.features=pretext', 'al.cold_start.picker.type=TypiClust',
        'al.cold_start.picker.seed={seed}'
    ],
    'pt4al-probcover-start': [
        'al.features=pretext', 'al.cold_start.picker.type=ProbCover',
        'al.cold_start.picker.seed={seed}'
    ],
    # k-means++ seeding on the last layer's gradient embeddings
    'badge':
    POOL + ['al.picker.type=BADGE', 'al.picker.seed={seed}'],
    'pt4al-badge': ['al.picker.type=BADGE', 'al.picker.seed={seed}'],
    # a GCN over labelled images and candidates learns which are labelled:
    # the candidates it is least sure of / k-center on its features
    'uncertaingcn':
    POOL + ['al.picker.type=UncertainGCN', 'al.picker.seed={seed}'],
    'coregcn':
    POOL + ['al.picker.type=CoreGCN', 'al.picker.seed={seed}'],
    # an equal share per class of the images nearest its decision boundary
    'base':
    POOL + ['al.picker.type=BASE'],
    # two auxiliary classifiers trained to disagree on unlabelled images
    'mcdal':
    POOL + ['al.query.type=MCDAL', 'model.type={mcdal_model}'],
    # a VAE and a discriminator learn what the labelled images do not cover
    'vaal':
    POOL + ['al.query.type=VAAL', 'model.type={vaal_model}'],
}
# PT4AL with each pretext (the paper's ablation), from scratch or starting each
# cycle's model from the pretext backbone: the pretext model and its pipelines
# come from the family's base config (PRETEXT_CONFIGS), the pretext schedule
# and everything else stay the config's.
PRETEXTS = ('rotation', 'colorization', 'jigsaw', 'simsiam')
PRETEXT_CONFIGS = dict(
    EncoderDecoder='configs/_base_/pretext/{}.py',
    ImageClassifier='configs/_base_/pretext/{}_cls.py',
    CityscapesDataset='configs/_base_/pretext/{}_cityscapes.py')
for _p in PRETEXTS:
    STRATEGIES[f'pt4al-{_p}'] = []
    STRATEGIES[f'pt4al-{_p}-init-pretext'] = ['al.init=pretext']
STRATEGIES['pt4al-init-pretext'] = ['al.init=pretext']
MC_DROPOUT = ('bald', 'varratio', 'meanstd', 'pt4al-bald')
# Model families without dropout of their own get it where MC dropout samples:
# on the pooled features before the classifier's linear layer (mmseg's decode
# heads have dropout_ratio=0.1 already).
MC_DROPOUT_OPTIONS = dict(ImageClassifier=['model.dropout_ratio=0.3'])

# The task model with a loss-prediction module, per config family.
LEARNING_LOSS_MODELS = dict(
    EncoderDecoder='LossPredictionEncoderDecoder',
    ImageClassifier='LossPredictionClassifier')

# The task model with MCDAL's auxiliary classifiers, per config family.
MCDAL_MODELS = dict(
    EncoderDecoder='MCDALEncoderDecoder', ImageClassifier='MCDALClassifier')

# The task model beside VAAL's VAE and discriminator, per config family.
VAAL_MODELS = dict(
    EncoderDecoder='VAALEncoderDecoder', ImageClassifier='VAALClassifier')

# Learning Loss stops the module's gradient into the backbone after this
# share of each cycle's training, as the paper does (epoch 120 of 200).
LL_STOP_GRAD = 0.6


def pretext_of(strategy: str) -> Optional[str]:
    """The pretext a ``pt4al-<pretext>[-init-pretext]`` name swaps in, else
    None."""
    for p in PRETEXTS:
        if strategy in (f'pt4al-{p}', f'pt4al-{p}-init-pretext'):
            return p
    return None


def with_pretext(cfg, pretext: str):
    """``cfg`` (an mmengine Config, changed in place) with the pretext model
    and pipelines of ``pretext``'s base config for the config's family
    (``PRETEXT_CONFIGS``: classifiers, Cityscapes, other segmentation data at
    the demo's 64x64 sizes); the pretext schedule, batch size and optimizer
    stay ``cfg``'s."""
    from mmengine.config import Config
    if 'pretext' not in cfg:
        raise UserError(f'{cfg.filename} has no pretext stage to swap for '
                        f'{pretext!r}: start from a PT4AL config')
    family = cfg.model.type
    if cfg.train_dataloader.dataset.type == 'CityscapesDataset':
        family = 'CityscapesDataset'  # its pipelines and tile/view sizes
    path = osp.join(REPO,
                    PRETEXT_CONFIGS.get(family, 'missing').format(pretext))
    if not osp.isfile(path):
        raise UserError(
            f'no {pretext} pretext config for {family} in '
            f'{osp.join(REPO, "configs/_base_/pretext")} (known: '
            f'{", ".join(PRETEXT_CONFIGS)}); write a config with that '
            'pretext instead')
    new = Config.fromfile(path).pretext
    for key in ('model', 'train_pipeline', 'score_pipeline'):
        cfg.pretext[key] = new[key]
    return cfg


def expand_strategies(strategies: Optional[List[str]],
                      pretexts: List[str]) -> List[str]:
    """``--strategies`` (default ``pt4al random lc``, none with
    ``--pretexts``) followed by ``pt4al-P`` and ``pt4al-P-init-pretext`` for
    each pretext P not named already."""
    out = list(strategies) if strategies is not None else (
        [] if pretexts else ['pt4al', 'random', 'lc'])
    for p in pretexts:
        out += [
            s for s in (f'pt4al-{p}', f'pt4al-{p}-init-pretext')
            if s not in out
        ]
    return out


def strategy_config(config: str, strategy: str, work_dir: str) -> str:
    """The config file a strategy's runs use: ``config`` itself, or for a
    pretext name the config with that pretext swapped in
    (:func:`with_pretext`), written as ``work_dir/<strategy>/config.py``
    (the same bytes every time: the runs resume)."""
    pretext = pretext_of(strategy)
    if pretext is None:
        return config
    from mmengine.config import Config
    path = osp.join(work_dir, strategy, 'config.py')
    atomic_write(path,
                 with_pretext(Config.fromfile(config), pretext).pretty_text)
    return path


def merged_config(config: str, options: List[str]):
    """``config`` read with ``--cfg-options`` ``options`` merged, as
    ``tools/train_al.py`` merges them."""
    import argparse

    from mmengine.config import Config, DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(config)
    if options:
        cfg.merge_from_dict(
            parser.parse_args(['--cfg-options', *options]).cfg_options)
    return cfg


def passes_cfg_options(value: str) -> bool:
    """Whether the string ``value`` reaches a run unchanged as a
    ``--cfg-options`` value: mmengine's ``DictAction`` splits values at
    commas, drops spaces and quotes and reads brackets as lists."""
    from mmengine.config import DictAction
    return DictAction._parse_iterable(value) == value


def pretext_from_option(hook_index: int, source: str) -> Optional[str]:
    """The ``--cfg-options`` entry that hands a run the pretext stage of the
    run in ``source`` (its ``PretextBatchHook`` at ``al_hooks[hook_index]``);
    None where ``--cfg-options`` would change the path (the run then trains
    its own)."""
    if not passes_cfg_options(source):
        return None
    return f'al_hooks.{hook_index}.pretext_from={source}'


def run_options(strategy: str,
                seed: int,
                model_type: str = 'EncoderDecoder',
                schedule: Optional[dict] = None,
                features: Optional[str] = None) -> List[str]:
    """The ``--cfg-options`` of one run: the strategy's and the seed's.

    Args:
        strategy (str): A key of ``STRATEGIES``.
        seed (int): The run's seed (``randomness.seed`` and every random part's
            seed).
        model_type (str): The config's ``model.type`` (picks the Learning Loss
            model).
        schedule (dict, optional): The config's ``train_cfg``: Learning Loss
            stops its gradient at ``LL_STOP_GRAD`` of its ``max_iters`` or
            ``max_epochs``. Defaults to None (no stop).
        features (str, optional): A self-supervised checkpoint whose
            features replace the pretext model's where the strategy picks
            from those (a pool strategy then runs no pretext stage).
            Defaults to None.
    """
    if strategy not in STRATEGIES:
        raise ValueError(
            f'unknown strategy {strategy!r}; known: {", ".join(STRATEGIES)}')
    models = dict(
        learning_loss_model=LEARNING_LOSS_MODELS.get(model_type, model_type),
        mcdal_model=MCDAL_MODELS.get(model_type, model_type),
        vaal_model=VAAL_MODELS.get(model_type, model_type))
    opts = [o.format(seed=seed, **models) for o in STRATEGIES[strategy]]
    if features and 'al.features=pretext' in opts:
        if opts[:len(PRETEXT_POOL)] == PRETEXT_POOL:  # no pretext stage
            opts = ['al_hooks=[]'] + opts[len(PRETEXT_POOL):]
        opts = [o for o in opts if o != 'al.features=pretext'
                ] + [f'al.features={features}']
    if strategy in MC_DROPOUT:
        opts += MC_DROPOUT_OPTIONS.get(model_type, [])
    if strategy == 'learning-loss' and schedule:
        for unit in ('iter', 'epoch'):
            if schedule.get(f'max_{unit}s'):
                stop = round(LL_STOP_GRAD * schedule[f'max_{unit}s'])
                opts.append(f'model.loss_prediction.stop_grad_{unit}={stop}')
                break
    return opts + [f'randomness.seed={seed}']


def collect(root: str, strategies: List[str], seeds: List[int],
            metric: str) -> List[dict]:
    """Rows ``strategy,seed,cycle,num_labelled,<metric>`` from each run's
    summary.csv; a run without one is an error (a mean over fewer seeds than
    asked would pass unnoticed)."""
    rows = []
    for strategy in strategies:
        for seed in seeds:
            path = osp.join(root, strategy, f'seed_{seed}', 'summary.csv')
            if not osp.isfile(path):
                raise UserError(f'{path} does not exist: the run of '
                                f'{strategy} with seed {seed} has no finished '
                                'cycle; run the same command again')
            for r in csv.DictReader(open(path)):
                rows.append(
                    dict(
                        strategy=strategy,
                        seed=seed,
                        cycle=int(r['cycle']),
                        num_labelled=int(r['num_labelled']),
                        **{metric: float(r[metric]) if r[metric] else ''}))
    return rows


def draw_embeddings(root: str, strategies: List[str],
                    seeds: List[int]) -> List[str]:
    """``embedding_seed_<S>.png`` per seed: every strategy's picks (a row
    each, a panel per cycle) on one projection, that of the pretext features
    of the seed's first run with a pretext stage (its cached
    ``pretext/embedding.npz``); nothing for a seed without one."""
    from ..visualization.embedding import figure
    written = []
    for seed in seeds:
        runs = {s: osp.join(root, s, f'seed_{seed}') for s in strategies}
        own = next((wd for wd in runs.values()
                    if osp.isfile(osp.join(wd, 'pretext', 'features.npz'))),
                   None)
        if own is None:
            continue
        path = osp.join(root, f'embedding_seed_{seed}.png')
        figure(
            path,
            runs,
            osp.join(own, 'pretext', 'features.npz'),
            cache=osp.join(own, 'pretext', 'embedding.npz'))
        written.append(path)
    return written


def write_compare_csv(path: str, rows: List[dict], metric: str) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, ['strategy', 'seed', 'cycle', 'num_labelled', metric],
        lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(path, buf.getvalue())


def mean_std(rows: List[dict], metric: str) -> Dict[str, Dict[int, tuple]]:
    """strategy -> cycle -> (num_labelled, mean, std over seeds, number of
    seeds)."""
    out: Dict[str, Dict[int, tuple]] = {}
    for strategy in dict.fromkeys(r['strategy'] for r in rows):
        out[strategy] = {}
        mine = [
            r for r in rows if r['strategy'] == strategy and r[metric] != ''
        ]
        for cycle in sorted({r['cycle'] for r in mine}):
            vals = np.array([r[metric] for r in mine if r['cycle'] == cycle],
                            float)
            labelled = next(r['num_labelled'] for r in mine
                            if r['cycle'] == cycle)
            std = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
            out[strategy][cycle] = (labelled, float(vals.mean()), std,
                                    len(vals))
    return out


def markdown_table(stats: Dict[str, Dict[int, tuple]], metric: str) -> str:
    cycles = sorted({c for per in stats.values() for c in per})
    head = '| strategy | ' + ' | '.join(
        f'cycle {c} ({next(per[c][0] for per in stats.values() if c in per)})'
        for c in cycles) + ' |'
    lines = [
        f'{metric}, mean ± std over seeds (labelled images in brackets)', '',
        head, '|' + ' --- |' * (len(cycles) + 1)
    ]
    for strategy, per in stats.items():
        cells = [
            f'{per[c][1]:.2f} ± {per[c][2]:.2f}' if c in per else ''
            for c in cycles
        ]
        lines.append(f'| {strategy} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def pretext_rows(root: str, strategies: List[str],
                 seeds: List[int]) -> List[dict]:
    """Per strategy whose runs have a pretext stage (the pretext ablation):
    H1's Spearman rho (``pretext/h1.json``, runs with a labelled test split)
    and the pretext training's wall seconds (``timings.csv``), as
    ``(n, mean, std)`` over the seeds that have them."""
    rows = []
    for strategy in strategies:
        rhos, seconds = [], []
        for seed in seeds:
            wd = osp.join(root, strategy, f'seed_{seed}')
            h1 = osp.join(wd, 'pretext', 'h1.json')
            if osp.isfile(h1):
                with open(h1) as f:
                    rho = json.load(f)['rho']
                if rho is not None and np.isfinite(rho):  # NaN: constant loss
                    rhos.append(rho)
            # a run that took its pretext stage from another: the other's
            timings = osp.join(pretext_source(wd) or wd, 'timings.csv')
            if osp.isfile(timings):
                with open(timings) as f:
                    seconds += [
                        float(r['seconds']) for r in csv.DictReader(f)
                        if (r['phase'], r['step']) == ('pretext', 'train')
                    ]
        if rhos or seconds:
            rows.append(
                dict(
                    strategy=strategy,
                    rho=_n_mean_std(rhos),
                    pretext_train_s=_n_mean_std(seconds)))
    return rows


def _n_mean_std(values: List[float]) -> tuple:
    return (len(values), float(np.mean(values)) if values else None,
            float(np.std(values, ddof=1)) if len(values) > 1 else 0.0)


def pretext_table(rows: List[dict]) -> str:
    """Markdown of :func:`pretext_rows` (empty when there are none)."""
    if not rows:
        return ''

    def cell(n, mean, std, fmt):
        return '' if not n else f'{mean:{fmt}} ± {std:{fmt}} ({n})'

    lines = [
        'pretext stage, mean ± std over seeds (runs in brackets)', '',
        '| strategy | H1: Spearman rho | pretext training (s) |',
        '| --- | --- | --- |'
    ]
    for r in rows:
        lines.append(f'| {r["strategy"]} | {cell(*r["rho"], ".3f")} | '
                     f'{cell(*r["pretext_train_s"], ".1f")} |')
    return '\n'.join(lines)


def plot_compare(path: str,
                 stats: Dict[str, Dict[int, tuple]],
                 metric: str,
                 title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for strategy, per in stats.items():
        xs = [per[c][0] for c in sorted(per)]
        mean = np.array([per[c][1] for c in sorted(per)])
        std = np.array([per[c][2] for c in sorted(per)])
        ax.plot(xs, mean, marker='o', label=strategy)
        ax.fill_between(xs, mean - std, mean + std, alpha=0.2)
    ax.set_xlabel('labelled images')
    ax.set_ylabel(f'{metric} (mean ± std over seeds)')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = f'{path}.tmp{os.getpid()}.png'
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)

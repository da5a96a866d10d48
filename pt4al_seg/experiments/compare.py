"""Strategies x seeds for one config: the runs, their aggregation, a plot and a
table."""
import csv
import io
import json
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmengine.config import Config

from ..engine.pretext_source import pretext_source
from ..engine.settings import hook_configs
from ..engine.strategy_configs import apply_strategy, strategy_file
from ..utils import atomic_write
from ..utils.config import config_path
from ..utils.errors import UserError

# The pretexts this package ships; ``pt4al-<P>`` and ``pt4al-<P>-init-pretext``
# name PT4AL with pretext P (the paper's ablation).
PRETEXTS = ('rotation', 'colorization', 'jigsaw', 'simsiam')


def resolve(name: str) -> Tuple[str, Optional[str]]:
    """A strategy name as ``(strategy config, pretext)``: a strategy of
    ``configs/_base_/al/strategies/`` (or a config file of the user's) and
    no pretext swap, or ``pt4al-<P>[-init-pretext]``: PT4AL (starting each
    cycle from the pretext backbone) with the config's pretext swapped for P
    (:func:`with_pretext`)."""
    match = re.fullmatch(r'pt4al-([a-z]+)(-init-pretext)?', name)
    if match and match.group(1) in PRETEXTS:
        return 'pt4al' + (match.group(2) or ''), match.group(1)
    strategy_file(name)  # unknown: one line
    return name, None


def with_pretext(cfg: Config, pretext: str) -> Config:
    """``cfg`` (changed in place) with the pretext model and pipelines of
    ``pretext``'s config in the family of the config's own pretext
    (``pretext.variants``, a path with ``{}`` for the pretext's name:
    Cityscapes configs get the Cityscapes variants, with their pipelines and
    tile and view sizes); the pretext schedule, batch size and optimizer stay
    ``cfg``'s."""
    if 'pretext' not in cfg:
        raise UserError(f'{cfg.filename} has no pretext stage to swap for '
                        f'{pretext!r}: start from a PT4AL config')
    variants = cfg.pretext.get('variants')
    if not variants:
        raise UserError(
            f'{cfg.filename}: pretext.variants is unset: say where the '
            f'{pretext} pretext for this data is (a config path with {{}} for '
            'the pretext\'s name)')
    path = config_path(variants.format(pretext))
    if not osp.isfile(path):
        raise UserError(f'no {pretext} pretext config: {path} (from '
                        f'pretext.variants={variants!r}) does not exist')
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


def uses_pretext_features(cfg: Config) -> bool:
    return (cfg.get('al') or {}).get('features') == 'pretext'


def with_features(cfg: Config, checkpoint: str) -> Config:
    """``cfg`` (changed in place) picking from a self-supervised checkpoint's
    features where it picked from the pretext model's; a pretext stage kept
    only for its batches (a pool strategy's goes)."""
    cfg.al.features = checkpoint
    cfg.al_hooks = {
        k: h
        for k, h in hook_configs(cfg.get('al_hooks')).items()
        if h.get('type') != 'PretextBatchHook' or h.get('batches', True)
    }
    return cfg


def run_config(config: str,
               strategy: str,
               features: Optional[str] = None) -> Config:
    """The config of ``strategy``'s runs: ``config`` with the strategy put in
    (:func:`~pt4al_seg.engine.strategy_configs.apply_strategy`), the pretext
    of a ``pt4al-<P>`` name swapped in, and with ``features`` (a
    checkpoint) the features of pickers that took the pretext model's."""
    name, pretext = resolve(strategy)
    cfg = apply_strategy(Config.fromfile(config), name)
    if pretext is not None:
        with_pretext(cfg, pretext)
    if features and uses_pretext_features(cfg):
        with_features(cfg, features)
    return cfg


def write_config(cfg: Config, work_dir: str, strategy: str) -> str:
    """``work_dir/<strategy>/config.py``: the same bytes on every call for the
    same config (the runs resume from it)."""
    path = osp.join(work_dir, strategy, 'config.py')
    atomic_write(path, cfg.pretty_text)
    return path


def merged_config(config: str, options: List[str]) -> Config:
    """``config`` read with ``--cfg-options`` ``options`` merged, as
    ``tools/train_al.py`` merges them."""
    import argparse

    from mmengine.config import DictAction
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


def adopt_options(source: str) -> Optional[List[str]]:
    """The ``--cfg-options`` that hand a run the pretext stage of the run in
    ``source`` (:class:`~pt4al_seg.engine.hooks.AdoptPretextHook`); None
    where ``--cfg-options`` would change the path (the run then trains its
    own)."""
    if not passes_cfg_options(source):
        return None
    return [
        'al_hooks.adopt_pretext.type=AdoptPretextHook',
        f'al_hooks.adopt_pretext.source={source}'
    ]


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

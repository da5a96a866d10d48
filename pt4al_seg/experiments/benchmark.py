"""What the active-learning machinery costs, measured side by side in one
process on the same images and the same weights (``tools/benchmark.py``).

- Scoring: the toolkit's scoring pass (one per query) vs mmseg's own test
  loop (``TestLoop`` + ``IoUMetric``, the test pipeline with its labels) vs a
  bare ``test_step`` loop over the same dataloader; the pretext scoring pass
  vs its bare loop. Images per second; each loop's ratio to the bare loop.
- Memory: the peak RSS of a process that runs one scoring pass over N and
  over 4N images (equal within noise: each image is reduced to a scalar as
  its batch arrives), and CUDA's max allocated on a GPU.
- Processes: the same scoring pass by 1 and by 2 processes, the speedup.
- The upfront file checks of a new run against the pretext scoring pass.
- The driver's own work on synthetic pools (ranking, each pick rule, id and
  score files, a state write), with its growth per 10x pool; Core-Set's
  k-center greedy on 10k + 10k features.
"""
import copy
import multiprocessing
import os
import os.path as osp
import resource
import time
from typing import Callable, Dict, List, Sequence

import numpy as np
import torch

QUERIES = ('LeastConfidence', 'Entropy', 'Margin', 'BALD')


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _bare_seconds(c: dict, checkpoint: str) -> float:
    """Seconds of ``test_step`` over the test dataloader of phase config
    ``c``, nothing else (after one untimed pass: lazy initialisation, file
    cache)."""
    from mmengine.runner import Runner, load_checkpoint

    from ..engine.phases import build_phase_runner
    model = build_phase_runner(copy.deepcopy(c)).model
    load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    loader = Runner.build_dataloader(copy.deepcopy(c['test_dataloader']))

    def run():
        with torch.no_grad():
            for batch in loader:
                model.test_step(batch)

    run()
    return _seconds(run)


def _test_seconds(c: dict) -> float:
    """Seconds of ``Runner.test()`` of phase config ``c`` (its checkpoint
    load, loop and metric)."""
    from ..engine.phases import build_phase_runner
    return _seconds(build_phase_runner(c).test)


def _random_weights(model_cfg: dict, path: str) -> str:
    """A seeded initialisation of ``model_cfg`` saved as a checkpoint: the
    weights every loop of one comparison loads."""
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(model_cfg))  # PyTorch's init
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


def _row(name: str, num_images: int, seconds: float, bare: float) -> dict:
    return dict(
        loop=name,
        images=num_images,
        seconds=round(seconds, 3),
        images_per_s=round(num_images / seconds, 2),
        vs_bare=round(bare / seconds, 3))


class _Scoring:
    """The first ``num_images`` images of the pool, seeded task weights, and
    the scoring pass config of any query over them."""

    def __init__(self, cfg, work_dir: str, num_images: int):
        from mmengine.registry import init_default_scope

        from ..engine.pool import load_pool
        from ..engine.settings import ALSettings
        from ..utils import write_ids
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        self.cfg = copy.deepcopy(cfg)
        self.cfg.al = ALSettings.from_config(cfg).to_dict()  # defaults filled
        self.pool = load_pool(self.cfg, self.cfg.al.get('label_palette'))
        self.ids = self.pool.ids[:num_images]
        self.work_dir = work_dir
        self.ids_file = osp.join(work_dir, 'ids.txt')
        write_ids(self.ids_file, self.ids)
        self.task = _random_weights(self.cfg.model,
                                    osp.join(work_dir, 'task.pth'))

    def config(self, query: str, bf16: bool = False) -> dict:
        from ..engine import phase_configs as pc
        from ..engine.scoring import outputs_metric
        out = osp.join(self.work_dir,
                       f'score_{query}' + ('_bf16' if bf16 else ''))
        metric = outputs_metric({'score'}, dict(type=query),
                                osp.join(out, 'scores.csv'))
        c = pc.score_config(self.cfg, self.pool, out, self.ids_file, self.task,
                            metric)
        c['test_cfg']['bf16'] = bf16
        return c


def scoring_rows(cfg,
                 work_dir: str,
                 num_images: int,
                 queries: Sequence[str] = QUERIES) -> List[dict]:
    """Throughput of the scoring passes against mmseg's test loop and the
    bare loop, on the first ``num_images`` images of the pool; the upfront
    file checks of a new run over the same images against the pretext
    scoring pass, which decodes them too."""
    scoring = _Scoring(cfg, work_dir, num_images)
    cfg, pool, ids, ids_file, task = (scoring.cfg, scoring.pool, scoring.ids,
                                      scoring.ids_file, scoring.task)
    score_cfg = scoring.config
    first = score_cfg(queries[0])
    bare = _bare_seconds(first, task)
    rows = [_row('bare test_step loop', len(ids), bare, bare)]
    mmseg = copy.deepcopy(first)
    mmseg['test_cfg'] = dict(type='TestLoop')
    # the config's own test evaluator and test pipeline (labels read)
    mmseg['test_evaluator'] = copy.deepcopy(cfg.to_dict()['test_evaluator'])
    mmseg['test_dataloader']['dataset']['pipeline'] = copy.deepcopy(
        cfg.to_dict()['test_dataloader']['dataset']['pipeline'])
    rows.append(
        _row("mmseg's test loop", len(ids), _test_seconds(mmseg), bare))
    for query in queries:
        if _needs_dropout(query) and not _has_dropout(cfg):
            continue  # e.g. BALD on a model without dropout
        rows.append(
            _row(f'scoring pass ({query})', len(ids),
                 _test_seconds(score_cfg(query)), bare))
    # bf16 autocast (al.bf16): on the GPU when there is one, else the CPU
    rows.append(
        _row(f'scoring pass ({queries[0]}, bf16)', len(ids),
             _test_seconds(score_cfg(queries[0], bf16=True)), bare))
    if cfg.get('pretext') is not None:
        rows += _pretext_rows(cfg, pool, work_dir, ids_file, len(ids))
    checks = _seconds(lambda: _check_files(pool, ids))
    rows.append(_row('upfront file checks', len(ids), checks, bare))
    if cfg.get('pretext') is not None:
        rows[-1]['vs_pretext_pass'] = round(checks / rows[-2]['seconds'], 3)
    return rows


def _needs_dropout(query: str) -> bool:
    from ..registry import QUERIES
    from ..strategies.queries import MCDropoutQuery
    return issubclass(QUERIES.get(query), MCDropoutQuery)


def _has_dropout(cfg) -> bool:
    from mmseg.registry import MODELS

    from ..models.mc_dropout import dropout_layers
    return bool(dropout_layers(MODELS.build(copy.deepcopy(cfg.model))))


def _check_files(pool, ids: List[str]) -> None:
    """What a new run checks before any work (``run.checks``: every image
    decodes, every label map is valid), restricted to ``ids``."""
    sub = copy.copy(pool)
    sub.infos = {i: pool.infos[i] for i in ids}
    sub.ids = list(ids)
    sub.check_images()
    sub.check_label_maps(ids)


def _pretext_rows(cfg, pool, work_dir: str, ids_file: str,
                  num_images: int) -> List[dict]:
    from ..engine import phase_configs as pc
    c = pc.pretext_config(cfg, pool, osp.join(work_dir, 'pretext'), ids_file,
                          False)
    c['load_from'] = _random_weights(c['model'],
                                     osp.join(work_dir, 'pretext.pth'))
    bare = _bare_seconds(c, c['load_from'])
    return [
        _row('pretext: bare test_step loop', num_images, bare, bare),
        _row('pretext: scoring pass', num_images, _test_seconds(c), bare)
    ]


def _peak_of_pass(cfg_dict: dict, work_dir: str, num_images: int,
                  queue) -> None:
    """In a fresh process: one LeastConfidence scoring pass over
    ``num_images`` images; report the process's peak RSS (MiB) and CUDA's max
    allocated (MiB, 0 without a GPU)."""
    from mmengine.config import Config

    import pt4al_seg  # noqa: F401  (registrations)
    cfg = Config(cfg_dict)
    scoring_rows(cfg, work_dir, num_images, queries=('LeastConfidence', ))
    cuda = torch.cuda.max_memory_allocated() if torch.cuda.is_available(
    ) else 0
    queue.put((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               cuda / 2**20))


def memory_rows(cfg, work_dir: str, num_images: int) -> List[dict]:
    """Peak memory of scoring ``num_images`` and 4x as many images, each in its
    own process (a process's peak never goes down)."""
    ctx = multiprocessing.get_context('spawn')
    cfg_dict = dict(cfg.to_dict(), pretext=None)  # the task model's pass
    rows = []
    for n in (num_images, 4 * num_images):
        sub = osp.join(work_dir, f'memory_{n}')
        os.makedirs(sub, exist_ok=True)
        queue = ctx.Queue()
        proc = ctx.Process(
            target=_peak_of_pass, args=(cfg_dict, sub, n, queue))
        proc.start()
        rss, cuda = queue.get()
        proc.join()
        rows.append(
            dict(
                images=n, peak_rss_mib=round(rss, 1), cuda_mib=round(cuda, 1)))
    return rows


def _pass_in_group(rank: int, world: int, port: int, cfg_dict: dict,
                   work_dir: str, num_images: int, queue) -> None:
    """Rank ``rank`` of ``world`` processes (gloo on CPU, as torchrun would
    start them, the machine's cores shared out): one LeastConfidence scoring
    pass over ``num_images`` images; rank 0 reports its seconds."""
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world),
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(port))
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    from mmengine.config import Config
    from mmengine.dist import barrier

    import pt4al_seg  # noqa: F401  (registrations)
    from ..engine.dist import setup_dist, teardown_dist
    from ..engine.phases import build_phase_runner
    launcher = 'pytorch' if world > 1 else 'none'
    setup_dist(launcher, {})
    cfg = Config(cfg_dict)
    cfg.launcher = launcher
    c = _Scoring(cfg, work_dir, num_images).config('LeastConfidence')
    runner = build_phase_runner(c)
    barrier()
    seconds = _seconds(runner.test)
    teardown_dist()
    if rank == 0:
        queue.put(seconds)


def process_rows(cfg, work_dir: str, num_images: int,
                 worlds: tuple = (1, 2)) -> List[dict]:
    """The same scoring pass run by 1 and by 2 processes (mmengine's DDP path,
    the pool sharded over ranks), each set of processes started afresh; the
    speedup over 1 process. On a GPU machine a row needs as many GPUs."""
    import socket
    ctx = multiprocessing.get_context('spawn')
    cfg_dict = dict(cfg.to_dict(), pretext=None)
    rows: List[dict] = []
    for world in worlds:
        if torch.cuda.is_available() and torch.cuda.device_count() < world:
            continue
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        sub = osp.join(work_dir, f'processes_{world}')
        os.makedirs(sub, exist_ok=True)
        queue = ctx.Queue()
        procs = [
            ctx.Process(
                target=_pass_in_group,
                args=(r, world, port, cfg_dict, sub, num_images, queue))
            for r in range(world)
        ]
        for p in procs:
            p.start()
        seconds = queue.get()
        for p in procs:
            p.join()
        rows.append(
            dict(
                processes=world,
                images=num_images,
                seconds=round(seconds, 3),
                images_per_s=round(num_images / seconds, 2),
                speedup=round(rows[0]['seconds'] /
                              seconds, 2) if rows else 1.0))
    return rows


def kcenter_row(num_candidates: int = 10_000,
                num_labelled: int = 10_000,
                dim: int = 512,
                picks: int = 2_000) -> dict:
    """Core-Set's k-center greedy on random features of that size."""
    from ..strategies.pickers.base import compute_device
    from ..strategies.pickers.k_center import kcenter_greedy
    rng = np.random.default_rng(0)
    cand = rng.random((num_candidates, dim), np.float32)
    lab = rng.random((num_labelled, dim), np.float32)
    return dict(
        step='k-center greedy',
        candidates=num_candidates,
        labelled=num_labelled,
        dim=dim,
        picks=picks,
        device=compute_device(),
        seconds=round(_seconds(lambda: kcenter_greedy(cand, lab, picks)), 2))


def cover_rows(num_points: int = 10_000, dim: int = 512) -> List[dict]:
    """TypiClust's and ProbCover's neighbour work on random unit-norm
    features of that size (scikit-learn): every point's 20 nearest
    neighbours (typicality), k-means with 50 clusters (10 starts), every
    point's delta-ball (delta = 1.3)."""
    from ..strategies.pickers.base import unit_rows
    from ..strategies.pickers.prob_cover import balls
    from ..strategies.pickers.typiclust import cluster, typicality
    feats = unit_rows(np.random.default_rng(0).normal(size=(num_points, dim)))
    steps = [('20 nearest neighbours of every point',
              lambda: typicality(feats, 20)),
             ('k-means, 50 clusters', lambda: cluster(feats, 50, 0)),
             ('every delta-ball (delta = 1.3)', lambda: balls(feats, 1.3))]
    return [
        dict(
            step=step,
            points=num_points,
            dim=dim,
            seconds=round(_seconds(fn), 2)) for step, fn in steps
    ]


def driver_rows(sizes: Sequence[int], work_dir: str) -> List[dict]:
    """Seconds of the driver's own steps on synthetic pools of each size (ids,
    scores with ties, 10 classes), and the growth per 10x."""
    from ..engine.state import ALState
    from ..strategies import class_balanced, every_nth, top_k
    from ..strategies.ranking import rank_into_batches
    from ..utils import read_ids, read_scores, write_ids, write_scores
    rng = np.random.default_rng(0)
    rows: List[dict] = []
    for n in sizes:
        ids = [f'{i:08d}' for i in rng.permutation(n)]
        scores = dict(zip(ids, (rng.integers(0, 10**4, n) / 7).tolist()))
        classes = dict(zip(ids, rng.integers(0, 10, n).tolist()))
        ids_file = osp.join(work_dir, 'driver_ids.txt')
        scores_file = osp.join(work_dir, 'driver_scores.csv')
        state = ALState(osp.join(work_dir, 'driver_state.json'))
        state.cycles = {str(c): dict(num_labelled=n // 10) for c in range(10)}
        k = max(1, n // 10)
        steps: Dict[str, Callable[[], object]] = {
            'rank into 10 batches':
            lambda: rank_into_batches(scores, 10),
            'top-k (k = n/10)':
            lambda: top_k(scores, k),
            'class-balanced (k = n/10)':
            lambda: class_balanced(scores, classes, k),
            'every n-th (k = n/10)':
            lambda: every_nth(ids, k),
            'write + read ids':
            lambda: (write_ids(ids_file, ids), read_ids(ids_file)),
            'write + read scores':
            lambda: (write_scores(scores_file, scores, 'score'),
                     read_scores(scores_file, 'score')),
            'state write':
            state.save,
        }
        for step, fn in steps.items():
            rows.append(
                dict(step=step, pool=n, seconds=round(_seconds(fn), 4)))
    by_step: Dict[str, Dict[int, float]] = {}
    for r in rows:
        by_step.setdefault(r['step'], {})[r['pool']] = r['seconds']
    for r in rows:
        smaller = by_step[r['step']].get(r['pool'] // 10)
        r['growth_per_10x'] = round(r['seconds'] /
                                    smaller, 1) if smaller else None
    return rows

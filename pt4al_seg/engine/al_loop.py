"""The active-learning driver: owns the cycle order and the persistent state.

Phases, each recorded in ``al_state.json`` only once its files are complete:

``pretext.trained`` -> ``pretext.scored`` -> ``ranked`` -> for each cycle i:
``cycle_ii.selected`` -> ``cycle_ii.trained``.

Every phase that runs a model is an ordinary mmengine Runner built from a derived config
(``phase_configs``); scores and losses are gathered over ranks by the metrics of
``pt4al_seg.evaluation``. Only rank 0 writes files; the other ranks wait at a barrier.
"""
import os
import os.path as osp
from typing import Dict, List

import numpy as np

from mmengine.config import Config
from mmengine.dist import barrier, is_main_process
from mmengine.logging import print_log
from mmengine.runner import find_latest_checkpoint

from ..evaluation import constant_prediction_miou
from ..ranking import every_nth, rank_into_batches
from ..registry import SELECTORS
from ..report import format_table, write_report
from ..selectors import Random, class_balanced, kcenter_greedy, top_k
from ..utils import (metrics_to_builtin, read_column, read_ids, read_scores, write_ids,
                     write_scores)
from . import phase_configs as pc
from .al_settings import ALConfigError, check_settings
from .annotation import AwaitingLabels, missing_label_maps, write_request
from .dist import setup_dist
from .faults import kill_point
from .init_weights import pretext_backbone_checkpoint
from .pool import load_pool, seg_dirs, test_split_labelled
from .runs import build_runner, drop_iter_checkpoints, save_model
from .state import ALState, settings_snapshot


class ActiveLearningLoop:
    """Run PT4AL (or a plain strategy) for ``al.num_cycles`` cycles.

    Args:
        cfg (Config): The run's config (``al``, ``pretext``, ``score_pipeline`` and an
            ordinary mmseg training config). ``cfg.work_dir`` must be set.
        resume (bool): Continue the run in ``work_dir`` from its last finished phase.
            Defaults to False.
    """

    def __init__(self, cfg: Config, resume: bool = False):
        self.cfg = cfg
        self.al = cfg.al
        self.resume = resume
        self.work_dir = osp.abspath(cfg.work_dir)
        self.metric = self.al.get('metric', 'mIoU')
        self.num_cycles = self.al.num_cycles
        self.budget = self.al.budget
        self._selected_now = None  # the cycle selected by this invocation, if any

    # ---------------------------------------------------------------- paths
    def path(self, *parts: str) -> str:
        return osp.join(self.work_dir, *parts)

    def cycle_dir(self, cycle: int) -> str:
        return self.path(f'cycle_{cycle:02d}')

    def batch_file(self, i: int) -> str:
        return self.path('pretext', 'batches', f'batch_{i:02d}.txt')

    @property
    def annotate(self) -> bool:
        """A real annotation loop (labels arrive between cycles), not a simulation."""
        return self.al.get('mode', 'simulate') == 'annotate'

    @property
    def uses_pretext(self) -> bool:
        return self.al.get('strategy', 'pt4al') == 'pt4al'

    # ---------------------------------------------------------------- helpers
    def _mark(self, phase: str) -> None:
        kill_point(f'{phase}:before-mark')
        if is_main_process():
            self.state.mark(phase)
        else:
            self.state.phases.append(phase)
        barrier()

    def _resume_training(self, run_dir: str) -> bool:
        """Whether an interrupted training phase continues from its last checkpoint.

        ``al.resume_training='restart'`` (default) trains the phase again from its start:
        every phase seeds its own Runner, so the result is identical to an uninterrupted run
        (mmengine checkpoints keep the seed, not the RNG states, and mmseg heads use
        dropout). ``'checkpoint'`` continues with mmengine's resume: faster, not
        bit-identical.
        """
        if not (self.resume and osp.isdir(run_dir)):
            return False
        if self.al.get('resume_training', 'restart') == 'checkpoint':
            return find_latest_checkpoint(run_dir) is not None
        drop_iter_checkpoints(run_dir)
        barrier()
        return False

    # ---------------------------------------------------------------- state
    def open_state(self, pool: List[str]) -> ALState:
        state_file = self.path('al_state.json')
        settings = settings_snapshot(self.cfg.to_dict())
        exists = ALState.exists(state_file)
        barrier()  # every rank has looked before rank 0 may create the file below
        if exists:
            if not self.resume:
                raise FileExistsError(
                    f'{self.work_dir} already holds a run (al_state.json): pass --resume to '
                    'continue it, or choose another --work-dir')
            try:
                state = ALState.load(state_file)
            except ValueError as e:
                raise ALConfigError(str(e)) from e
            diff = state.diff_settings(settings)
            if diff:
                raise ALConfigError(f'--resume refused: {self.work_dir} was made with another '
                                 f'config; {len(diff)} settings differ: ' + '; '.join(diff[:10]))
            if state.pool_size != len(pool):
                raise ALConfigError(f'--resume refused: the pool had {state.pool_size} images, '
                                 f'the data root now lists {len(pool)}')
            return state
        # a new run: check every file once before anything is written
        self.pool.check_images()
        if not self.annotate:  # in annotation mode labels arrive cycle by cycle
            self.pool.check_label_files(*seg_dirs(self.cfg))
        state = ALState(state_file)
        state.settings, state.pool_size = settings, len(pool)
        if is_main_process():
            os.makedirs(self.work_dir, exist_ok=True)
            write_ids(self.path('pool.txt'), pool)
            state.save()
        barrier()
        return state

    # ---------------------------------------------------------------- phases
    def run_pretext(self) -> None:
        pretext_dir = self.path('pretext')
        pool_file = self.path('pool.txt')
        runner = None
        if not self.state.done('pretext.trained'):
            c = pc.pretext_config(self.cfg, pretext_dir, pool_file, train=True)
            c['resume'] = self._resume_training(pretext_dir)
            runner = build_runner(c, 'pretext')
            runner.train()
            save_model(runner, pretext_dir)
            drop_iter_checkpoints(pretext_dir)
            self._mark('pretext.trained')
        if not self.state.done('pretext.scored'):
            if runner is None:
                c = pc.pretext_config(self.cfg, pretext_dir, pool_file, train=False)
                c['load_from'] = osp.join(pretext_dir, 'model.pth')
                runner = build_runner(c)
            runner.test()
            self._mark('pretext.scored')

    def rank(self, pool: List[str]) -> List[List[str]]:
        if not self.state.done('ranked'):
            losses = read_scores(self.path('pretext', 'losses.csv'), 'loss')
            if set(losses) != set(pool):
                raise RuntimeError(f'pretext/losses.csv has {len(losses)} images, the pool '
                                   f'{len(pool)}')
            descending = self.al.get('order', 'descending') == 'descending'
            batches = rank_into_batches(losses, self.num_cycles, descending)
            if is_main_process():
                for i, batch in enumerate(batches):
                    write_ids(self.batch_file(i), batch)
                    kill_point('ranked:partial')
            self._mark('ranked')
        return [read_ids(self.batch_file(i)) for i in range(self.num_cycles)]

    def labelled_before(self, cycle: int) -> List[str]:
        return read_ids(osp.join(self.cycle_dir(cycle - 1), 'labelled.txt')) if cycle else []

    def candidates(self, cycle: int, batches: List[List[str]], pool: List[str]) -> List[str]:
        if batches:
            return batches[cycle]
        labelled = set(self.labelled_before(cycle))
        return [i for i in pool if i not in labelled]

    def pick(self, cycle: int, ids: List[str]) -> List[str]:
        """Choose ``budget`` of ``ids`` with cycle ``cycle - 1``'s model (``al.pick``)."""
        rule = self.al.get('pick', {}).get('type', 'TopK')
        if rule == 'KCenterGreedy':
            return self.kcenter(cycle, ids)
        scores = self.score(cycle, ids, rule == 'ClassBalanced')
        if rule == 'ClassBalanced':
            classes = read_column(osp.join(self.cycle_dir(cycle), 'scores.csv'), 'class')
            return class_balanced(scores, {i: int(c) for i, c in classes.items()}, self.budget)
        return top_k(scores, self.budget)

    def kcenter(self, cycle: int, ids: List[str]) -> List[str]:
        """Core-Set: k-center greedy on pooled features of the labelled images and the
        candidates; a candidate's score is its distance to the labelled set."""
        out_dir = self.cycle_dir(cycle)
        labelled = self.labelled_before(cycle)
        images = osp.join(out_dir, 'feature_images.txt')
        features = osp.join(out_dir, 'features.npz')
        if is_main_process():
            os.makedirs(out_dir, exist_ok=True)
            write_ids(images, labelled + ids)
        barrier()
        c = pc.feature_config(self.cfg, out_dir, images, features,
                              osp.join(self.cycle_dir(cycle - 1), 'model.pth'))
        build_runner(c).test()
        data = np.load(features)
        row = {str(i): k for k, i in enumerate(data['ids'])}
        feats = data['features']
        picked, dist = kcenter_greedy(feats[[row[i] for i in ids]],
                                      feats[[row[i] for i in labelled]], self.budget)
        if is_main_process():
            write_scores(osp.join(out_dir, 'scores.csv'), dict(zip(ids, dist)), 'score')
        barrier()
        return [ids[k] for k in picked]

    def score(self, cycle: int, ids: List[str], with_class: bool = False) -> Dict[str, float]:
        """Score ``ids`` with cycle ``cycle - 1``'s model into ``cycle_XX/scores.csv``."""
        out_dir = self.cycle_dir(cycle)
        out_file = osp.join(out_dir, 'scores.csv')
        selector = SELECTORS.build(self.al.selector)
        if is_main_process():
            os.makedirs(out_dir, exist_ok=True)
            write_ids(osp.join(out_dir, 'candidates.txt'), ids)
        barrier()
        if selector.needs_model:
            checkpoint = osp.join(self.cycle_dir(cycle - 1), 'model.pth')
            image_class = dict(exclude=self.pool.background) if with_class else None
            c = pc.score_config(self.cfg, out_dir, osp.join(out_dir, 'candidates.txt'),
                                out_file, checkpoint, image_class)
            build_runner(c).test()
        elif is_main_process():
            write_scores(out_file, dict(zip(ids, selector.score_ids(ids))), 'score')
        barrier()
        scores = read_scores(out_file, 'score')
        if set(scores) != set(ids):
            raise RuntimeError(f'{out_file} scores {len(scores)} images, expected {len(ids)}')
        return scores

    def select(self, cycle: int, batches: List[List[str]], pool: List[str]) -> None:
        if self.state.done(f'cycle_{cycle:02d}.selected'):
            return
        ids = self.candidates(cycle, batches, pool)
        if cycle == 0 and batches:
            selected = every_nth(ids, self.budget)
        elif cycle == 0:  # no model and no pretext order yet: a seeded random start
            scores = dict(zip(ids, Random(self.al.get('seed', 0)).score_ids(ids)))
            if is_main_process():
                write_scores(osp.join(self.cycle_dir(0), 'scores.csv'), scores, 'score')
            selected = top_k(scores, self.budget)
        else:
            selected = self.pick(cycle, ids)
        if not self.annotate:
            self.pool.check_label_maps(selected)  # before anything of the cycle is recorded
        num_labelled = len(self.labelled_before(cycle)) + len(selected)
        cycle_dir = self.cycle_dir(cycle)
        if is_main_process():
            write_ids(osp.join(cycle_dir, 'selected.txt'), selected)
            if self.annotate:
                write_request(cycle_dir, {i: self.pool.infos[i]['img_path'] for i in selected},
                              self.al.get('export_dir'))
            else:
                write_ids(osp.join(cycle_dir, 'labelled.txt'),
                          self.labelled_before(cycle) + selected)
        self.state.record_cycle(cycle, num_labelled=num_labelled,
                                fraction=num_labelled / self.state.pool_size)
        if self.annotate:
            self.state.record_cycle(cycle, label_maps={
                i: self.pool.infos[i]['seg_map_path'] for i in selected})
        self._mark(f'cycle_{cycle:02d}.selected')
        self._selected_now = cycle

    def receive_labels(self, cycle: int) -> None:
        """Annotation mode: take the label maps of the cycle's selection once all exist."""
        phase = f'cycle_{cycle:02d}.labelled'
        if not self.annotate or self.state.done(phase):
            return
        label_maps = self.state.cycles[str(cycle)]['label_maps']
        missing = missing_label_maps(label_maps)
        request = osp.join(self.cycle_dir(cycle), 'to_label.txt')
        if missing and self._selected_now == cycle:
            raise AwaitingLabels(cycle, request, label_maps)
        if missing:
            raise ALConfigError(
                f'{len(missing)} of the {len(label_maps)} images in {request} have no label '
                f'map yet: ' + ', '.join(label_maps[i] for i in missing[:5])
                + (f' and {len(missing) - 5} more' if len(missing) > 5 else ''))
        selected = read_ids(osp.join(self.cycle_dir(cycle), 'selected.txt'))
        self.pool.check_label_maps(selected)
        if is_main_process():
            write_ids(osp.join(self.cycle_dir(cycle), 'labelled.txt'),
                      self.labelled_before(cycle) + selected)
        self._mark(phase)

    def init_checkpoint(self, cycle: int):
        init = self.al.get('init', 'scratch')
        if init == 'scratch':
            return None
        if init == 'previous':
            return osp.join(self.cycle_dir(cycle - 1), 'model.pth') if cycle else None
        out = osp.join(self.cycle_dir(cycle), 'init_from_pretext.pth')
        if is_main_process():
            pretext_backbone_checkpoint(self.path('pretext', 'model.pth'), out)
        barrier()
        return out

    def train(self, cycle: int) -> None:
        if self.state.done(f'cycle_{cycle:02d}.trained'):
            return
        cycle_dir = self.cycle_dir(cycle)
        resume = self._resume_training(cycle_dir)
        c = pc.cycle_config(self.cfg, cycle_dir, osp.join(cycle_dir, 'labelled.txt'),
                            None if resume else self.init_checkpoint(cycle), resume)
        if is_main_process():
            cfg = Config(c)
            tmp = osp.join(cycle_dir, 'config.tmp.py')
            cfg.dump(tmp)
            os.replace(tmp, osp.join(cycle_dir, 'config.py'))
        barrier()
        runner = build_runner(c, f'cycle_{cycle:02d}')
        runner.train()
        save_model(runner, cycle_dir)
        metrics = runner.test() if self.test_labelled else {}
        self.state.record_cycle(cycle, metrics=metrics_to_builtin(metrics))
        drop_iter_checkpoints(cycle_dir)
        self._mark(f'cycle_{cycle:02d}.trained')

    def report(self) -> List[dict]:
        rows = []
        if is_main_process():
            label = f'{self.al.get("strategy", "pt4al")} ({self.al.selector.type})'
            rows = write_report(self.work_dir, self.state.cycles, self.metric,
                                self.al.get('references'), label)
        barrier()
        return rows

    # ---------------------------------------------------------------- run
    def run(self) -> List[dict]:
        """Run (or continue) every phase; returns the summary rows."""
        setup_dist(self.cfg.get('launcher', 'none'),
                   self.cfg.get('env_cfg', {}).get('dist_cfg', {}))
        check_settings(self.cfg)
        self.pool = load_pool(self.cfg)
        pool = self.pool.ids
        check_settings(self.cfg, len(pool))
        if self.annotate and not self.pool.has_label_maps:
            raise ALConfigError("al.mode='annotate' needs a segmentation dataset whose label "
                                'maps are files (seg_map_path)')
        self.test_labelled = not self.annotate or test_split_labelled(self.cfg)
        self.state = self.open_state(pool)
        if self.metric == 'mIoU' and self.test_labelled \
                and 'background_mIoU' not in self.state.extras:
            self.state.extras['background_mIoU'] = constant_prediction_miou(
                self.cfg.test_dataloader.dataset.to_dict(),
                scope=self.cfg.get('default_scope', 'mmseg'))
            if is_main_process():
                self.state.save()
        batches = []
        if self.uses_pretext:
            self.run_pretext()
            batches = self.rank(pool)
        for cycle in range(self.num_cycles):
            self.select(cycle, batches, pool)
            self.receive_labels(cycle)
            self.train(cycle)
            rows = self.report()
        if is_main_process():
            print_log('\n' + format_table(rows, self.metric), logger='current')
            floor = self.state.extras.get('background_mIoU')
            if floor is not None and rows and rows[-1]['mIoU'] != '':
                last = float(rows[-1]['mIoU'])
                print_log(f'last cycle mIoU {last:.2f} vs {floor:.2f} for predicting background '
                          f'everywhere ({last / max(floor, 1e-9):.1f}x)', logger='current')
            print_log(f'results in {self.work_dir}: summary.csv, summary.png', logger='current')
        return rows

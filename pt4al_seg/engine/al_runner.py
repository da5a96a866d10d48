"""The active-learning runner: the cycle order of the method, runnable by
mmseg's tools.

A config with ``runner_type = 'ActiveLearningRunner'`` (``configs/_base_/al/``)
is run by mmseg's ``tools/train.py`` (``RUNNERS.build(cfg).train()``) as by
``tools/train_al.py``. Every phase that runs a model is an ordinary mmengine
Runner built from a derived config (``phase_configs``); this runner owns their
order and the persistent state. Phases are recorded in ``al_state.json`` only
once their files are complete; hooks add their own before the first cycle
(PT4AL: ``pretext.trained``, ``pretext.scored``, ``ranked``), then::

    for each cycle i:
        cycle_ii.selected -> cycle_ii.labelled -> cycle_ii.trained
"""
import copy
import os
import os.path as osp
from typing import List, Optional

from mmengine.config import Config
from mmengine.dist import barrier, master_only
from mmengine.runner import Runner
from mmseg.registry import RUNNERS

from ..utils import metrics_to_builtin, read_ids
from ..utils.checkpoint import trusted_types
from ..utils.config import data_roots, file_config, propagate_data_root
from ..utils.errors import ALConfigError
from . import phase_configs as pc
from .annotation import AwaitingLabels
from .dist import setup_dist, sync_buffers, teardown_dist
from .hooks import build_al_hooks
from .labels import LABEL_SOURCES
from .phases import (build_phase_runner, dump_config, initial_weights,
                     training_resumes)
from .pool import load_pool
from .preflight import preflight
from .report import RunReport
from .run_files import RunFiles
from .run_log import open_run_log, warnings_once
from .scoring import score_candidates
from .settings import ALSettings, check_config, check_model, hook_configs
from .state import ALState, settings_snapshot
from .timings import timed


@RUNNERS.register_module()
class ActiveLearningRunner:
    """Run an active-learning experiment for ``al.num_cycles`` cycles.

    Cycle 0 picks with ``al.cold_start`` (no model exists yet); cycle i > 0
    with ``al.query`` and ``al.picker`` on cycle i-1's model, from
    ``cycle_batches[i]`` when a hook set them (PT4AL), else from the whole
    unlabelled pool. Labels come from the source of ``al.mode``; each cycle
    then trains a fresh Runner on ``labelled.txt`` and tests it.

    Args:
        cfg (Config): An mmseg config with ``al``, ``score_pipeline``,
            ``al_hooks`` (and the sections its hooks read, e.g. ``pretext``);
            ``work_dir`` set. ``cfg.resume`` continues the run in ``work_dir``
            from its last finished phase.
    """

    def __init__(self, cfg: Config):
        cfg = copy.deepcopy(cfg) if isinstance(cfg, Config) else Config(
            copy.deepcopy(cfg))
        if not cfg.get('work_dir'):
            raise ALConfigError('the config has no work_dir (pass --work-dir)')
        propagate_data_root(cfg, file_config(cfg))
        self.settings = ALSettings.from_config(cfg)
        check_config(cfg)
        cfg.al = self.settings.to_dict()  # parsed: every default filled in
        if self.settings.model:  # what the strategy adds to the task model
            cfg.merge_from_dict(dict(model=copy.deepcopy(self.settings.model)))
        hooks = hook_configs(cfg.get('al_hooks'))
        cfg.al_hooks = hooks
        self.cfg, self.resume = cfg, bool(cfg.get('resume', False))
        self.files = RunFiles(cfg.work_dir)
        self.files.check_writable()
        self.strategy = self.settings.strategy()
        self.cold_start = self.settings.cold_start_strategy()
        self.feature_source = self.settings.feature_source()
        check_model(cfg, self.strategy, self.cold_start)
        for hook in self.strategy_hooks():
            hooks.setdefault(hook['type'], hook)
        self.hooks = build_al_hooks(hooks)
        # set by hooks: each cycle's candidates (PT4AL's batches), a pretext
        # model's weights (al.init='pretext')
        self.cycle_batches: Optional[List[List[str]]] = None
        self.pretext_checkpoint: Optional[str] = None
        # set by AdoptPretextHook: the run whose pretext stage this one takes
        self.pretext_source: Optional[str] = None
        # set when annotation mode stops to wait for labels
        self.awaiting: Optional[AwaitingLabels] = None
        self._selected_now = None

    def strategy_hooks(self) -> List[dict]:
        """The hooks the strategy's query needs (its ``al_hooks``): e.g. a
        ``CommitteeHook`` keeping the models a ``MemberQuery`` compares the
        scoring model with."""
        return list(getattr(self.strategy.query, 'al_hooks', None) or [])

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'ActiveLearningRunner':
        return cls(cfg)

    def train(self) -> None:
        """Run (or continue) every phase; returns early, with ``self.awaiting``
        set, when annotation mode waits for labels."""
        setup_dist(
            self.cfg.get('launcher', 'none'),
            self.cfg.get('env_cfg', {}).get('dist_cfg', {}))
        try:
            with trusted_types(), warnings_once():
                self.open()
                self.call_hook('before_run')
                for cycle in range(self.settings.num_cycles):
                    self.select(cycle)
                    self.receive_labels(cycle)
                    self.train_cycle(cycle)
                    self.report.update(self.state)
                self.call_hook('after_run')
                self.report.finish(self.state, self.logger)
        except AwaitingLabels as e:
            self.awaiting = e
            self.log(str(e))
        finally:
            teardown_dist()

    def select(self, cycle: int) -> None:
        """Pick ``al.budget`` candidates and request their labels."""
        if self.state.done(f'cycle_{cycle:02d}.selected'):
            return
        strategy = self.strategy if cycle else self.cold_start
        key = f'cycle_{cycle:02d}'
        if cycle:
            self.call_hook('before_select', cycle=cycle)
            barrier()  # what rank 0 saved there (members) is there for all
        with timed(self.state.seconds, f'{key}.score'):
            if strategy.needs_features and not strategy.model_features:
                self.feature_source.prepare(self)
            scored = score_candidates(self, cycle, strategy,
                                      self.candidates(cycle))
        with timed(self.state.seconds, f'{key}.pick'):
            selected, own_scores = strategy.picker(scored,
                                                   self.settings.budget)
        detail = strategy.picker.describe()
        self.log(f'cycle {cycle:02d}: {len(selected)} of {len(scored.ids)} '
                 f'candidates picked ({type(strategy.picker).__name__}' +
                 (f', {type(strategy.query).__name__}' if 'score' in
                  strategy.needs else '') + ')' +
                 (f'; {detail}' if detail else ''))
        if own_scores is not None:
            self.files.write_scores(
                self.files.cycle(cycle, 'scores.csv'), own_scores)
        record = self.labels.request(cycle, selected, self.files.cycle(cycle))
        self.files.write_ids(self.files.cycle(cycle, 'selected.txt'), selected)
        num_labelled = len(scored.labelled) + len(selected)
        self.state.record_cycle(
            cycle,
            num_labelled=num_labelled,
            fraction=num_labelled / self.state.pool_size,
            **record)
        self.call_hook('after_select', cycle=cycle, selected=selected)
        self.mark(f'cycle_{cycle:02d}.selected')
        self._selected_now = cycle

    def receive_labels(self, cycle: int) -> None:
        """Take the selection's labels from the label source into
        ``labelled.txt``."""
        if self.state.done(f'cycle_{cycle:02d}.labelled'):
            return
        selected = read_ids(self.files.cycle(cycle, 'selected.txt'))
        self.labels.receive(cycle, selected, self.files.cycle(cycle),
                            self.state.cycles[str(cycle)],
                            self._selected_now == cycle)
        self.files.write_ids(
            self.files.cycle(cycle, 'labelled.txt'),
            self.files.labelled(cycle - 1) + selected)
        self.mark(f'cycle_{cycle:02d}.labelled')

    def train_cycle(self, cycle: int) -> None:
        """Train the task model on the labelled images, then test it."""
        if self.state.done(f'cycle_{cycle:02d}.trained'):
            return
        runner = self.train_model(cycle, self.files.cycle(cycle))
        sync_buffers(runner.model)  # rank 0's model.pth is what is tested
        metrics = {}
        if self.evaluated:
            with timed(self.state.seconds, f'cycle_{cycle:02d}.test'):
                metrics = metrics_to_builtin(runner.test())
        self.log(f'cycle {cycle:02d}: ' +
                 ', '.join(f'{k} {v}' for k, v in metrics.items()) if metrics
                 else f'cycle {cycle:02d}: trained (no labelled test split)')
        self.state.record_cycle(cycle, metrics=metrics)
        self.call_hook('after_cycle', cycle=cycle, metrics=metrics)
        self.mark(f'cycle_{cycle:02d}.trained')

    def train_model(self, cycle: int, out_dir: str, member: int = 0):
        """Train a model of cycle ``cycle`` on its labelled images in
        ``out_dir`` (``config.py``, ``model.pth``), starting as ``al.init``
        says, and return its Runner: the cycle's own (``member`` 0; the hooks'
        ``before_train`` adds what its training needs) or a committee's
        member ``member``, seeded with the run's seed + ``member``."""
        resume = self.resume_training(out_dir)
        init = None if resume else initial_weights(
            self.settings.init, self.files, cycle, self.pretext_checkpoint)
        c = pc.cycle_config(self.cfg, out_dir,
                            self.files.cycle(cycle, 'labelled.txt'), init,
                            resume, self.pool.palette)
        phase = f'cycle_{cycle:02d}'
        if member:
            seed = (c.get('randomness') or {}).get('seed')
            c['randomness'] = dict(
                c.get('randomness') or {},
                seed=None if seed is None else seed + member)
            phase += f'_member_{member}'
        master_only(os.makedirs)(out_dir, exist_ok=True)
        dump_config(c, osp.join(out_dir, 'config.py'))
        runner = self.run_phase(c, phase)
        if member:
            self.log(f'cycle {cycle:02d}: training committee member '
                     f'{member} (seed {c["randomness"]["seed"]})')
        else:
            self.call_hook('before_train', cycle=cycle, phase_runner=runner)
            self.log(
                f'cycle {cycle:02d}: training on '
                f'{len(self.files.labelled(cycle))} labelled images '
                f'(log: {osp.relpath(runner.log_dir, self.files.work_dir)}'
                '/)')
        with timed(self.state.seconds, f'{phase}.train'):
            runner.train()
        return runner

    def open(self) -> None:
        """Load the pool, check everything that can be checked, open or create
        the state."""
        # the training dataset, built once per run
        self.pool = load_pool(self.cfg, self.settings.label_palette)
        self.labels = LABEL_SOURCES[self.settings.mode](
            self.pool, export_dir=self.settings.export_dir)
        for hook in self.hooks:  # PT4AL: the budget fits a batch
            hook.check(self)
        self.settings.check_pool(len(self.pool))
        if self.settings.init == 'pretext' and self.pretext_checkpoint is None:
            raise ALConfigError("al.init='pretext' needs a pretext stage "
                                '(PretextBatchHook in al_hooks)')
        self.feature_source.check(self)
        self.evaluated = self.labels.test_split_labelled(self.cfg)
        self.state = self._open_state()
        self.logger = open_run_log(self.files.work_dir, self.cfg)
        s, roots = self.settings, data_roots(self.cfg)
        self.log(f'{s.mode} run in {self.files.work_dir}: {s.num_cycles} '
                 f'cycles of {s.budget} images from a pool of '
                 f'{len(self.pool)}; data: ' +
                 ', '.join(f'{k.split("_")[0]} {v}' for k, v in roots.items()))
        done = [p for p in self.state.phases if p.endswith('trained')]
        if done:
            self.log(f'resuming after {", ".join(done)}')
        self.report = RunReport(
            self.files.work_dir, self.settings.metric,
            self.settings.references, f'{self.settings.query["type"]}, '
            f'{self.settings.picker["type"]}')
        self.report.start(self.state, self.cfg, self.evaluated,
                          self.pool.palette)

    def _open_state(self) -> ALState:
        settings = settings_snapshot(self.cfg.to_dict())
        exists = ALState.exists(self.files.state)
        # every rank has looked before rank 0 may create the file below
        barrier()
        if not exists:  # a new run: check every file before writing anything
            state = ALState(self.files.state)
            with timed(state.seconds, 'run.checks'):
                self.pool.check_images()
                self.labels.check_pool()
                preflight(self)
            state.settings, state.pool_size = settings, len(self.pool)
            self.files.write_ids(self.files.pool, self.pool.ids)
            state.save()
            return state
        return ALState.resume(self.files.state, settings, len(self.pool),
                              self.resume)

    def candidates(self, cycle: int) -> List[str]:
        """The ids cycle ``cycle`` picks from."""
        if self.cycle_batches is not None:
            return self.cycle_batches[cycle]
        labelled = set(self.files.labelled(cycle - 1))
        return [i for i in self.pool.ids if i not in labelled]

    def log(self, msg: str) -> None:
        """A line of the run's story (console and ``al_<timestamp>.log``)."""
        self.logger.info(msg)

    def mark(self, phase: str) -> None:
        """Record a finished phase (its files are complete): every rank meets
        here."""
        self.call_hook('after_phase', phase=phase)
        self.state.mark(phase)
        barrier()

    def call_hook(self, stage: str, **kwargs) -> None:
        for hook in self.hooks:
            getattr(hook, stage)(self, **kwargs)

    def run_phase(self, cfg_dict: dict, phase: str) -> Runner:
        """The mmengine Runner of one phase, hooks registered (AL hooks may add
        their own in ``before_phase``)."""
        barrier()  # what rank 0 wrote for this phase is there for every rank
        runner = build_phase_runner(cfg_dict)
        self.call_hook('before_phase', phase=phase, phase_runner=runner)
        return runner

    def resume_training(self, run_dir: str) -> bool:
        """See :func:`training_resumes`."""
        return training_resumes(run_dir, self.resume,
                                self.settings.resume_training)

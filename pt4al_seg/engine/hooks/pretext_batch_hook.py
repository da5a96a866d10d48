"""PT4AL's pretext stage as active-learning hooks: train a self-supervised
model on every pool image, score each image by its pretext loss (and keep its
pooled features), and, for PT4AL, rank the pool into one batch per cycle."""
import os.path as osp
from functools import partial
from typing import Optional

from mmengine.dist import master_only

from ...strategies.ranking import rank_into_batches
from ...registry import AL_HOOKS
from ..timings import timed
from ...utils import read_ids, read_scores
from .. import phase_configs as pc
from ..pretext_source import SHARED_FILES, adopt_pretext, check_pretext_source
from ..scoring import drop_shards, left_to_score, run_scoring
from ..settings import ALConfigError
from ..state import ALState, settings_snapshot
from .al_hook import ALHook

ORDERS = ('descending', 'ascending')


@AL_HOOKS.register_module()
class PretextBatchHook(ALHook):
    """PT4AL: before the first cycle, train the config's ``pretext`` model on
    every training image (no labels), then one pass over them writes each
    image's pretext loss (``pretext/losses.csv``) and its pooled backbone
    feature (``pretext/features.npz``: the model's first backbone call, i.e.
    the image as the pretext sees it: unrotated, or its L channel; what
    ``al.features='pretext'`` gives the pickers, from cycle 0 on); then the
    pool is ranked by loss into ``al.num_cycles`` batches
    (``pretext/batches/batch_XX.txt``) and cycle ``i`` picks from batch ``i``
    only (``runner.cycle_batches``).

    Phases: ``pretext.trained`` -> ``pretext.scored`` -> ``ranked``.

    Args:
        order (str): ``'descending'`` (hardest first, the paper) or
            ``'ascending'`` (the ablation). Defaults to 'descending'.
        batches (bool): False stops after the pretext stage: every cycle
            picks from the whole pool (a pool strategy on the pretext
            model's features). Defaults to True.
        embedding (bool): Draw ``cycle_XX/embedding.png`` after each
            selection. Defaults to True.
        pretext_from (str, optional): The work dir of a run whose pretext
            stage (model, losses, features) this run takes instead of
            training its own: refused unless that stage has finished and the
            two runs agree on the pool and every setting it depends on
            (:mod:`~pt4al_seg.engine.pretext_source`); ignored once this run
            has its stage (not a setting ``--resume`` compares).
            ``tools/compare.py`` sets it for the runs of one seed. Defaults to
            None (train it).
    """

    # the batches exist before any other hook's before_run
    priority = 'VERY_HIGH'

    def __init__(self,
                 order: str = 'descending',
                 batches: bool = True,
                 embedding: bool = True,
                 pretext_from: Optional[str] = None):
        if order not in ORDERS:
            raise ALConfigError(f'PretextBatchHook: order must be one of '
                                f'{", ".join(ORDERS)}, got {order!r}')
        self.order, self.batches = order, batches
        self.embedding = embedding
        self.pretext_from = pretext_from

    def check(self, runner) -> None:
        from mmseg.registry import MODELS
        pretext = runner.cfg.get('pretext')
        if pretext is None:
            raise ALConfigError('PretextBatchHook needs a `pretext` section '
                                '(configs/_base_/pretext/)')
        if MODELS.get(pretext.model.type) is None:
            raise ALConfigError(
                f'unknown pretext model {pretext.model.type!r}; known: '
                'ColorizationPretext, JigsawPretext, RotationPretext, '
                'SimSiamPretext')
        s, size = runner.settings, len(runner.pool)
        if self.batches and s.budget > size // s.num_cycles:
            raise ALConfigError(
                f'al.budget {s.budget} exceeds the smallest cycle batch '
                f'({size} images / {s.num_cycles} cycles = '
                f'{size // s.num_cycles})')
        runner.pretext_checkpoint = runner.files.path('pretext', 'model.pth')
        if self.pretext_from and not self._has_stage(runner):
            check_pretext_source(self.pretext_from, runner.files.work_dir,
                                 settings_snapshot(runner.cfg.to_dict()),
                                 runner.pool.ids)

    @staticmethod
    def _has_stage(runner) -> bool:
        """This run (resumed) has its pretext stage already."""
        try:
            return ALState.load(runner.files.state).done('pretext.scored')
        except (OSError, ValueError):  # none yet, or _open_state says why
            return False

    def preflight(self, runner, ids_file: str, tmp_dir: str) -> None:
        from ..preflight import check_phase
        c = pc.pretext_config(runner.cfg, runner.pool, tmp_dir, ids_file,
                              not self.pretext_from)
        if not self.pretext_from:
            check_phase('pretext training', c, 'train_dataloader', 'loss')
        check_phase('pretext scoring', c, 'test_dataloader', 'predict')

    def before_run(self, runner) -> None:
        self.pretext_stage(runner)
        if not self.batches:
            return
        if not runner.state.done('ranked'):
            with timed(runner.state.seconds, 'pretext.rank'):
                self.rank(runner)
            runner.log(f'ranked by pretext loss ({self.order}) into '
                       f'{runner.settings.num_cycles} batches')
            runner.mark('ranked')
        runner.cycle_batches = [
            read_ids(self.batch_file(runner, i))
            for i in range(runner.settings.num_cycles)
        ]

    def after_select(self, runner, cycle: int, selected) -> None:
        """``cycle_XX/embedding.png``: the pool's pretext features in 2-D
        (one projection per run, ``pretext/embedding.npz``), the images
        labelled before this cycle and its picks (rank 0; with
        ``embedding``), over the pool coloured by true class in simulation
        (``pretext/classes.csv``, read once). A failure (e.g. features with
        NaN) is one line in the log, not the run's end."""
        from mmengine.dist import is_main_process
        if not self.embedding or not is_main_process():
            return
        from ...visualization.embedding import run_embeddings, write_classes
        from ...utils.errors import one_line
        try:  # a picture never stops the run
            with timed(runner.state.seconds, f'cycle_{cycle:02d}.embedding'):
                if runner.labels.on_disk:  # every image's class is known
                    write_classes(runner.files.path(), runner.pool)
                run_embeddings(runner.files.path(), cycles=[cycle])
        except Exception as e:
            runner.log(f'cycle {cycle:02d}: no embedding.png: '
                       f'{type(e).__name__}: {one_line(e)}')

    def after_run(self, runner) -> None:
        """H1 of this run when its test split is labelled (the paper's
        hypothesis: the pretext loss ranks images as the task loss does):
        Spearman's rho of the pretext model's loss and the last cycle's task
        loss on the held-out images (:func:`pt4al_seg.engine.h1.run_h1`:
        ``pretext/h1.csv``, ``h1.png``, ``h1.json``). Done once: a resumed
        run with ``h1.json`` skips it."""
        if not runner.evaluated or osp.isfile(
                runner.files.path('pretext', 'h1.json')):
            return
        from ..h1 import run_h1
        with timed(runner.state.seconds, 'h1.measure'):
            result = run_h1(runner)
        if result is not None:
            runner.log(f'H1: Spearman rho {result["rho"]:.3f} (p = '
                       f'{result["p_value"]:.2g}) between the pretext loss '
                       f'and cycle {runner.settings.num_cycles - 1:02d}\'s '
                       f'task loss on {result["num_images"]} held-out images '
                       '(pretext/h1.csv, h1.png)')
        runner.state.save()

    def pretext_stage(self, runner) -> None:
        """Train the pretext model, then score (and keep features of) every
        pool image."""
        pretext_dir = runner.files.path('pretext')
        if self.pretext_from and not runner.state.done('pretext.scored'):
            with timed(runner.state.seconds, 'pretext.adopt'):
                # an interrupted pass of this run's own model scored these
                master_only(drop_shards)(pretext_dir)
                master_only(adopt_pretext)(self.pretext_from, pretext_dir)
            runner.log(f'pretext: the stage of {self.pretext_from} '
                       f'({", ".join(SHARED_FILES)}), not trained again')
            runner.mark('pretext.trained')
            runner.mark('pretext.scored')
            return
        config = partial(pc.pretext_config, runner.cfg, runner.pool,
                         pretext_dir, runner.files.pool)
        phase_runner, num_left = None, len(runner.pool)
        if not runner.state.done('pretext.trained'):
            # scores of an earlier model must not count
            drop_shards(pretext_dir)
            c = config(train=True)
            c['resume'] = runner.resume_training(pretext_dir)
            phase_runner = runner.run_phase(c, 'pretext')
            runner.log(f'pretext: training {c["model"]["type"]} on all '
                       f'{len(runner.pool)} images, no labels (log: '
                       f'pretext/{osp.basename(phase_runner.log_dir)}/)')
            with timed(runner.state.seconds, 'pretext.train'):
                phase_runner.train()
            runner.mark('pretext.trained')
        if not runner.state.done('pretext.scored'):
            if phase_runner is None:
                left_file, num_left = left_to_score(runner, pretext_dir,
                                                    runner.pool.ids)
                c = config(train=False, left_file=left_file)
                c['load_from'] = runner.pretext_checkpoint
            runner.log(f'pretext: scoring {len(runner.pool)} images')
            with timed(runner.state.seconds, 'pretext.score'):
                run_scoring(runner, c, 'pretext', num_left, phase_runner)
            runner.mark('pretext.scored')

    def rank(self, runner) -> None:
        losses = read_scores(
            runner.files.path('pretext', 'losses.csv'), 'loss')
        if set(losses) != set(runner.pool.ids):
            raise RuntimeError(
                f'pretext/losses.csv has {len(losses)} images, the pool '
                f'{len(runner.pool)}')
        batches = rank_into_batches(losses, runner.settings.num_cycles,
                                    self.order == 'descending')
        for i, batch in enumerate(batches):
            runner.files.write_ids(self.batch_file(runner, i), batch)

    @staticmethod
    def batch_file(runner, i: int) -> str:
        return osp.join(
            runner.files.path('pretext', 'batches'), f'batch_{i:02d}.txt')

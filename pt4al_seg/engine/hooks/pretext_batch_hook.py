"""PT4AL's pretext stage: train a self-supervised model on every pool image,
score each image by its pretext loss (and keep its pooled features), and, for
PT4AL, rank the pool into one batch per cycle."""
import os.path as osp
from functools import partial

from ...registry import AL_HOOKS
from ...strategies.ranking import rank_into_batches
from ...utils import read_ids, read_scores
from ...utils.errors import ALConfigError
from .. import phase_configs as pc
from ..scoring import drop_shards, left_to_score, run_scoring
from ..timings import timed
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

    Phases: ``pretext.trained`` -> ``pretext.scored`` -> ``ranked``. Named
    ``pretext`` in ``al_hooks`` (a pool strategy sets ``pretext=None``).

    Args:
        order (str): ``'descending'`` (hardest first, the paper) or
            ``'ascending'`` (the ablation). Defaults to 'descending'.
        batches (bool): False stops after the pretext stage: every cycle
            picks from the whole pool (a pool strategy on the pretext
            model's features). Defaults to True.
    """

    name = 'pretext'

    # the batches exist before any other hook's before_run
    priority = 'VERY_HIGH'

    def __init__(self, order: str = 'descending', batches: bool = True):
        if order not in ORDERS:
            raise ALConfigError(f'PretextBatchHook: order must be one of '
                                f'{", ".join(ORDERS)}, got {order!r}')
        self.order, self.batches = order, batches

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

    def preflight(self, runner, ids_file: str, tmp_dir: str) -> None:
        """The pretext model trained and scoring (also where a run adopts
        another's stage: the preflight's cycles start from its weights)."""
        from ..preflight import phase
        runner.pretext_checkpoint = runner.files.path('pretext', 'model.pth')
        c = pc.pretext_config(runner.cfg, runner.pool,
                              runner.files.path('pretext'), ids_file, True)
        with phase('pretext training'):
            trained = runner.run_phase(c, 'pretext')
            trained.train()
        with phase('pretext scoring'):
            run_scoring(runner, c, 'pretext', 1, trained)

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

    def pretext_stage(self, runner) -> None:
        """Train the pretext model, then score (and keep features of) every
        pool image (skipped where :class:`AdoptPretextHook` took another
        run's stage)."""
        pretext_dir = runner.files.path('pretext')
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

from mmengine.dist import master_only

from ...registry import AL_HOOKS
from ..pretext_source import SHARED_FILES, adopt_pretext, check_pretext_source
from ..scoring import drop_shards
from ..state import ALState, settings_snapshot
from ..timings import timed
from .al_hook import ALHook


@AL_HOOKS.register_module()
class AdoptPretextHook(ALHook):
    """Take another run's pretext stage (model, losses, features) instead of
    training the same one again: refused unless that stage has finished and
    the two runs agree on the pool and every setting it depends on
    (:mod:`~pt4al_seg.engine.pretext_source`). Ignored once this run has its
    stage; changes no result, so ``--resume`` compares none of it.
    ``tools/compare.py`` adds it to the runs of one seed after the first.
    :class:`PretextBatchHook` then ranks the adopted losses.

    Args:
        source (str): The work dir of the run whose stage is taken.
    """

    name = 'adopt_pretext'
    changes_results = False
    # before PretextBatchHook's VERY_HIGH
    priority = 'HIGHEST'

    def __init__(self, source: str):
        self.source = source

    def check(self, runner) -> None:
        runner.pretext_source = self.source
        if not self._has_stage(runner):
            check_pretext_source(self.source, runner.files.work_dir,
                                 settings_snapshot(runner.cfg.to_dict()),
                                 runner.pool.ids)

    @staticmethod
    def _has_stage(runner) -> bool:
        """This run (resumed) has its pretext stage already."""
        try:
            return ALState.load(runner.files.state).done('pretext.scored')
        except (OSError, ValueError):  # none yet, or _open_state says why
            return False

    def before_run(self, runner) -> None:
        if runner.state.done('pretext.scored'):
            return
        pretext_dir = runner.files.path('pretext')
        with timed(runner.state.seconds, 'pretext.adopt'):
            # an interrupted pass of this run's own model scored these
            master_only(drop_shards)(pretext_dir)
            master_only(adopt_pretext)(self.source, pretext_dir)
        runner.log(f'pretext: the stage of {self.source} '
                   f'({", ".join(SHARED_FILES)}), not trained again')
        runner.mark('pretext.trained')
        runner.mark('pretext.scored')

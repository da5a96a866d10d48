from mmengine.dist import is_main_process

from ...registry import AL_HOOKS
from ...utils.errors import one_line
from ...visualization.embedding import run_embeddings, write_classes
from ..timings import timed
from .al_hook import ALHook


@AL_HOOKS.register_module()
class EmbeddingHook(ALHook):
    """PT4AL's t-SNE figure per cycle: after each selection,
    ``cycle_XX/embedding.png`` draws the pool's pretext features in 2-D (one
    projection per run, ``pretext/embedding.npz``), the images labelled
    before the cycle and its picks, over the pool coloured by true class in
    simulation (``pretext/classes.csv``, written once). Rank 0 only; a run
    without a pretext stage draws nothing; a failure (e.g. features with NaN)
    is one line in the log, not the run's end."""

    name = 'embedding'
    changes_results = False

    def after_select(self, runner, cycle: int, selected) -> None:
        if runner.pretext_checkpoint is None or not is_main_process():
            return
        try:  # a picture never stops the run
            with timed(runner.state.seconds, f'cycle_{cycle:02d}.embedding'):
                if runner.labels.on_disk:  # every image's class is known
                    write_classes(runner.files.path(), runner.pool)
                run_embeddings(runner.files.path(), cycles=[cycle])
        except Exception as e:
            runner.log(f'cycle {cycle:02d}: no embedding.png: '
                       f'{type(e).__name__}: {one_line(e)}')

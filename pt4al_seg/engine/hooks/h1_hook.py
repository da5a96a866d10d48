import os.path as osp

from ...registry import AL_HOOKS
from ..h1 import run_h1
from ..timings import timed
from .al_hook import ALHook


@AL_HOOKS.register_module()
class H1Hook(ALHook):
    """The paper's hypothesis H1 (the pretext loss ranks images as the task
    loss does), measured after the last cycle of a run with a pretext stage
    and a labelled test split: Spearman's rho of the pretext model's loss and
    the last cycle's task loss on the held-out images
    (:func:`pt4al_seg.engine.h1.run_h1`: ``pretext/h1.csv``, ``h1.png``,
    ``h1.json``). Done once: a resumed run with ``h1.json`` skips it."""

    name = 'h1'
    changes_results = False

    def after_run(self, runner) -> None:
        if runner.pretext_checkpoint is None or not runner.evaluated \
                or osp.isfile(runner.files.path('pretext', 'h1.json')):
            return
        with timed(runner.state.seconds, 'h1.measure'):
            result = run_h1(runner)
        if result is not None:
            runner.log(f'H1: Spearman rho {result["rho"]:.3f} (p = '
                       f'{result["p_value"]:.2g}) between the pretext loss '
                       f'and cycle {runner.settings.num_cycles - 1:02d}\'s '
                       f'task loss on {result["num_images"]} held-out images '
                       '(pretext/h1.csv, h1.png)')
        runner.state.save()

import re

from mmengine.dist import barrier

from ...registry import AL_HOOKS
from ..phase_hooks.unlabelled_batch_hook import (UnlabelledBatchHook,
                                                 unlabelled_loader)
from .al_hook import ALHook

_CYCLE = re.compile(r'cycle_(\d+)$')


@AL_HOOKS.register_module()
class UnlabelledDataHook(ALHook):
    """Gives each cycle's training the images still unlabelled after its
    selection (``cycle_XX/unlabelled.txt``), a batch of them beside each
    training batch (:class:`UnlabelledBatchHook`); the run adds it for a query
    that trains on them (``MCDAL``). Their labels are never loaded."""

    #: the preflight trains on such a batch
    adds_unlabelled = True

    def preflight(self, runner, ids_file: str, tmp_dir: str) -> None:
        from mmseg.registry import DATASETS

        from ..settings import ALConfigError
        dataset = unlabelled_loader(runner.cfg, ids_file)['dataset']
        try:
            DATASETS.build(dataset)[0]
        except Exception as e:
            raise ALConfigError(
                'preflight of the unlabelled training batches failed: '
                f'{type(e).__name__}: {" ".join(str(e).split())[:300]}') from e

    def before_phase(self, runner, phase: str, phase_runner) -> None:
        match = _CYCLE.match(phase)
        if match is None:
            return
        cycle = int(match.group(1))
        labelled = set(runner.files.labelled(cycle))
        ids = [i for i in runner.pool.ids if i not in labelled]
        if not ids:
            return
        ids_file = runner.files.cycle(cycle, 'unlabelled.txt')
        runner.files.write_ids(ids_file, ids)
        barrier()  # every rank reads it
        phase_runner.register_hook(
            UnlabelledBatchHook(unlabelled_loader(runner.cfg, ids_file)))

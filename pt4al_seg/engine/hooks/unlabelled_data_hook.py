from mmengine.dist import barrier

from ...registry import AL_HOOKS
from ..phase_hooks.unlabelled_batch_hook import (UnlabelledBatchHook,
                                                 unlabelled_loader)
from .al_hook import ALHook


@AL_HOOKS.register_module()
class UnlabelledDataHook(ALHook):
    """Gives each cycle's training the images still unlabelled after its
    selection (``cycle_XX/unlabelled.txt``), a batch of them beside each
    training batch (:class:`UnlabelledBatchHook`); the run adds it for a query
    that trains on them (``MCDAL``). Their labels are never loaded."""

    def before_train(self, runner, cycle: int, phase_runner) -> None:
        labelled = set(runner.files.labelled(cycle))
        ids = [i for i in runner.pool.ids if i not in labelled]
        if not ids:
            return
        ids_file = runner.files.cycle(cycle, 'unlabelled.txt')
        runner.files.write_ids(ids_file, ids)
        barrier()  # every rank reads it
        phase_runner.register_hook(
            UnlabelledBatchHook(unlabelled_loader(runner.cfg, ids_file)))

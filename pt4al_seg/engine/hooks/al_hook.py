"""The base of active-learning hooks: called by :class:`ActiveLearningRunner`
at the stages of the method, as mmengine's ``Hook`` is called by a Runner at
the stages of training.

A hook overrides only the stages it needs. Hooks are configured in
``al_hooks``: a dict of named hooks, merged across config files as mmengine
merges ``default_hooks`` (a name set to None drops that hook: a pool strategy
sets ``pretext=None``), or a list, like ``custom_hooks``. They are called in
order of ``priority`` (mmengine's priorities, ties in config order).
"""
from typing import Dict, List

from mmengine.hooks import Hook
from mmengine.runner.priority import get_priority

from ...registry import AL_HOOKS


class ALHook:
    """Stages, in the order a run meets them."""

    priority = 'NORMAL'
    #: False for a hook that changes no file a run's result depends on (a
    #: plot): its settings may change between a run and its resumption
    changes_results = True

    def check(self, runner) -> None:
        """Before anything is written (the pool is known): raise
        ``ALConfigError`` for a config this hook cannot work with."""

    def preflight(self, runner, ids_file: str, tmp_dir: str) -> None:
        """A new run, before anything trains: run each phase only this hook
        runs on the images of ``ids_file`` for one iteration, in ``tmp_dir``
        (``runner`` is then the preflight's run there: ``preflight.py``)."""

    def before_run(self, runner) -> None:
        """Before the first cycle (PT4AL trains its pretext model and ranks the
        pool here). Runs again on ``--resume``: skip what ``runner.state``
        records as done."""

    def before_phase(self, runner, phase: str, phase_runner) -> None:
        """A phase's mmengine Runner (``phase``: ``'pretext'``, ``'cycle_XX'``
        and ``'cycle_XX_member_K'``, ``'score_XX'``, ``'features'``) is built
        and about to run; register mmengine hooks into it here."""

    def after_phase(self, runner, phase: str) -> None:
        """A phase's files are complete; ``al_state.json`` records ``phase``
        next."""

    def before_select(self, runner, cycle: int) -> None:
        """Cycle ``cycle`` (> 0) is about to score its candidates with cycle
        ``cycle - 1``'s model (a committee trains its members here)."""

    def after_select(self, runner, cycle: int, selected: List[str]) -> None:
        """Cycle ``cycle`` chose ``selected`` (their labels are requested
        next)."""

    def before_train(self, runner, cycle: int, phase_runner) -> None:
        """Cycle ``cycle``'s model is about to train in ``phase_runner``
        (register the mmengine hooks its training needs here)."""

    def after_cycle(self, runner, cycle: int, metrics: dict) -> None:
        """Cycle ``cycle`` trained and was tested (``metrics`` empty without a
        labelled test split)."""

    def after_run(self, runner) -> None:
        """Every cycle is done (not called when a run stops to await labels).
        """


def build_al_hooks(cfgs: Dict[str, dict]) -> List[ALHook]:
    """The hooks of ``{name: config}`` (``settings.hook_configs``), in the
    order they are called."""
    from ...utils.errors import ALConfigError
    hooks = []
    for name, hook_cfg in cfgs.items():
        hook_cfg = dict(hook_cfg)
        priority = hook_cfg.pop('priority', None)
        try:
            hook = AL_HOOKS.build(hook_cfg)
        except (KeyError, TypeError) as e:
            raise ALConfigError(
                f'al_hooks.{name}: {e.args[0] if e.args else e}') from e
        if isinstance(hook, Hook):
            raise ALConfigError(
                f'al_hooks.{name}: {type(hook).__name__} is an mmengine Hook; '
                'put it in custom_hooks')
        if priority is not None:
            hook.priority = priority
        hooks.append(hook)
    return sorted(hooks, key=lambda h: get_priority(h.priority))

from ..utils.errors import ALConfigError
from .al_runner import ActiveLearningRunner
from .hooks import ALHook, PretextBatchHook
from .phase_hooks import FinalModelHook, PhaseProgressHook
from .pool import Pool, list_pool, load_pool
from .score_loop import ScoreLoop
from .settings import ALSettings, check_config
from .state import ALState

__all__ = [
    'ActiveLearningRunner', 'ALConfigError', 'ALHook', 'ALSettings', 'ALState',
    'FinalModelHook', 'Pool', 'PretextBatchHook', 'ScoreLoop',
    'PhaseProgressHook', 'check_config', 'list_pool', 'load_pool'
]

from .al_loop import ActiveLearningLoop
from .al_settings import ALConfigError, check_settings
from .pool import Pool, list_pool, load_pool
from .score_loop import ScoreLoop
from .state import ALState

__all__ = ['ActiveLearningLoop', 'ALConfigError', 'ALState', 'Pool', 'ScoreLoop',
           'check_settings', 'list_pool', 'load_pool']

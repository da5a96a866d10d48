"""PT4AL active learning for semantic segmentation on OpenMMLab.

Importing the package registers its modules (see ``pt4al_seg/registry.py``).
"""
# imported for their registrations
from . import classification  # noqa: F401
from . import datasets  # noqa: F401
from . import engine  # noqa: F401
from . import evaluation  # noqa: F401
from . import learning_loss  # noqa: F401
from . import mcdal  # noqa: F401
from . import pretext  # noqa: F401
from . import strategies  # noqa: F401
from . import vaal  # noqa: F401
# loads mmengine checkpoints on torch>=2.6
from .utils import checkpoint  # noqa: F401
from .utils import mmengine_memo
from .utils.config import register_config_scope

register_config_scope()
mmengine_memo.install()

__version__ = '0.1.0'

"""PT4AL active learning for semantic segmentation on OpenMMLab.

Importing the package registers its modules (see ``pt4al_seg/registry.py``)
and its config scope (``pt4al_seg::`` bases); it changes nothing else of any
library (``tests/test_registry.py``).
"""
# imported for their registrations
from . import datasets  # noqa: F401
from . import engine  # noqa: F401
from . import evaluation  # noqa: F401
from . import models  # noqa: F401
from . import strategies  # noqa: F401
from .utils.config import register_config_scope

register_config_scope()

__version__ = '0.1.0'

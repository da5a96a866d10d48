"""PT4AL active learning for semantic segmentation on OpenMMLab.

Importing the package registers its modules (see ``pt4al_seg/registry.py``).
"""
# imported for their registrations
from . import (classification, datasets, engine, evaluation, learning_loss,  # noqa: F401
               pretext, strategies)  # noqa: F401
from .utils import checkpoint  # noqa: F401  (loads mmengine checkpoints on torch>=2.6)

__version__ = '0.1.0'

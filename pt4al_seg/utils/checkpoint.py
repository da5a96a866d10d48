"""Checkpoints, loaded without running code and saved as plain weights.

PyTorch >= 2.6 unpickles ``torch.load`` files with its weights-only unpickler
unless told otherwise; mmengine 0.10.7 calls ``torch.load`` without the
argument, so every checkpoint an mmengine Runner loads gets that unpickler,
which builds tensors and plain values and refuses anything else. mmengine's
own training checkpoints also hold its message hub (``HistoryBuffer`` objects
of NumPy arrays): :func:`trusted_types` allows exactly those types, as a
scope around this package's runs (``torch.serialization.safe_globals``), not
for the rest of the process. A file that needs any other type (a crafted
pickle, or a checkpoint of objects) is refused in one line
(:class:`UnsafeCheckpointError`) that names the type and torch's own switch
for files one trusts (``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``).

The weights this package writes (a cycle's ``model.pth``, snapshots, initial
weights) hold tensors and plain values only (:func:`save_weights`): mmseg's
tools and a bare ``torch.load`` read them as they are.
"""
import os
import os.path as osp
import pickle
from contextlib import contextmanager

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from .errors import UnsafeCheckpointError  # noqa: F401 (raised here)
from .errors import refusal, unsafe_reason

#: What mmengine's training checkpoints hold besides tensors and plain values
#: (its message hub: ``HistoryBuffer`` objects of NumPy arrays and scalars;
#: NumPy 2 rebuilds a dtype through ``getattr`` on ``numpy.dtypes``).
SAFE_GLOBALS = [
    HistoryBuffer, np.ndarray, np.dtype, np._core.multiarray._reconstruct,
    np._core.multiarray.scalar, getattr
] + [getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith('DType')]


@contextmanager
def trusted_types():
    """Meanwhile, ``torch.load`` (mmengine's included) also builds the types
    of :data:`SAFE_GLOBALS`."""
    with torch.serialization.safe_globals(SAFE_GLOBALS):
        yield


def load_checkpoint(path: str, map_location: str = 'cpu') -> dict:
    """``path`` unpickled weights-only (with :data:`SAFE_GLOBALS`).

    Raises:
        UnsafeCheckpointError: The file needs other types (one line).
    """
    try:
        with trusted_types():
            return torch.load(path, map_location=map_location)
    except pickle.UnpicklingError as e:
        reason = unsafe_reason(e)
        if reason is None:
            raise
        raise refusal(path, reason) from e


def save_weights(path: str, state_dict: dict, meta: dict) -> None:
    """``path``: ``dict(meta=meta, state_dict=state_dict)`` (tensors moved to
    the CPU), written beside it and renamed: whole or absent."""
    tmp = f'{path}.tmp{os.getpid()}'
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save(
        dict(
            meta=meta,
            state_dict={
                k: v.detach().cpu()
                for k, v in state_dict.items()
            }), tmp)
    os.replace(tmp, path)

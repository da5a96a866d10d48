"""Loading mmengine checkpoints with PyTorch >= 2.6.

PyTorch 2.6 made ``torch.load(weights_only=True)`` the default; mmengine 0.10.7
calls ``torch.load`` without the argument, and its checkpoints hold the message
hub (mmengine ``HistoryBuffer`` objects and NumPy arrays), so loading
``load_from`` or resuming fails with ``Weights only load failed``. mmengine's
own extension point, ``CheckpointLoader``'s scheme registry, is used to load
local files as mmengine did before PyTorch 2.6. Load only checkpoints you trust
(as with any pickle).
"""
import os.path as osp

import torch
from mmengine.runner import CheckpointLoader


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename: str, map_location=None):
    """Load a local checkpoint file, including its pickled mmengine objects.

    Args:
        filename (str): Local checkpoint path.
        map_location (str, optional): As for :func:`torch.load`. Defaults to
            None.

    Returns:
        dict: The checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)

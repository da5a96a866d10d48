import zlib
from typing import Sequence

import numpy as np

from ...registry import QUERIES
from .base import BaseQuery


@QUERIES.register_module()
class Random(BaseQuery):
    """Uniform random scores, a pure function of ``(seed, image id)``.

    The same seed gives the same scores whatever the order, batching or number
    of processes in which images are seen; no model is run.

    Args:
        seed (int): Seed of the scores. Defaults to 0.
    """

    needs_model = False

    def __init__(self, seed: int = 0):
        self.seed = seed

    def score_ids(self, ids: Sequence[str]) -> list:
        return [
            float(
                np.random.default_rng([self.seed,
                                       zlib.crc32(i.encode())]).random())
            for i in ids
        ]

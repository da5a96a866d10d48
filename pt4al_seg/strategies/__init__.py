"""Active-learning strategies as registered parts: a query (model outputs ->
one score per image) and a picker (scores, classes, features -> the chosen
ids)."""
from .pickers import *  # noqa: F401,F403
from .queries import *  # noqa: F401,F403
from .strategy import Strategy  # noqa: F401

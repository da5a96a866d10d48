"""A strategy: a query and a picker from their registries, and what they need.
"""
from typing import Optional, Tuple

from ..registry import PICKERS, QUERIES
from .pickers import NEEDS


class Strategy:
    """A picker and, when the picker needs scores, the query that gives them.

    Args:
        picker (dict): Picker config, e.g. ``dict(type='TopK')``.
        query (dict, optional): Query config, e.g.
            ``dict(type='LeastConfidence')``. Defaults to None.
        name (str): The setting it came from, for messages. Defaults to 'al'.
        model_features (bool): Whether the picker's features come from the
            scoring pass of the previous cycle's model (else from another
            source of ``al.features``, there before any model is trained).
            Defaults to True.
    """

    def __init__(self,
                 picker: dict,
                 query: Optional[dict] = None,
                 name: str = 'al',
                 model_features: bool = True):
        self.query_cfg, self._model_features = query, model_features
        self.picker = _build(PICKERS, picker, f'{name}.picker')
        self.query = _build(QUERIES, query,
                            f'{name}.query') if query is not None else None
        unknown = set(self.picker.needs) - set(NEEDS)
        if unknown:
            raise ValueError(
                f'{type(self.picker).__name__} needs {sorted(unknown)}, which '
                f'no scoring pass gives (known: {", ".join(NEEDS)})')
        if 'score' in self.picker.needs and self.query is None:
            raise ValueError(
                f'{name}: {type(self.picker).__name__} picks by score and '
                'needs a query')

    @property
    def needs(self) -> Tuple[str, ...]:
        return self.picker.needs

    @property
    def needs_features(self) -> bool:
        """Whether the picker picks from features."""
        return bool(set(self.needs) & {'feature', 'labelled_feature'})

    @property
    def model_features(self) -> bool:
        """Whether the picker's features come from a scoring pass."""
        return self._model_features and self.needs_features

    @property
    def needs_model(self) -> bool:
        """Whether picking needs a scoring pass of a trained model."""
        model_score = 'score' in self.needs and self.query.needs_model
        other = set(self.needs) - {'score', 'feature', 'labelled_feature'}
        return model_score or self.model_features or bool(other)


def _build(registry, cfg: dict, name: str):
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ValueError(f'{name} must be a dict with a type, got {cfg!r}')
    try:
        return registry.build(cfg)
    except KeyError as e:
        raise ValueError(f'{name}: {e.args[0]}') from e
    except TypeError as e:
        raise ValueError(f'{name}: {e}') from e

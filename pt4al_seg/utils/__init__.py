from .io import (atomic_write, metrics_to_builtin, read_column, read_features,
                 read_ids, read_scores, write_features, write_ids, write_json,
                 write_scores)

__all__ = [
    'atomic_write', 'metrics_to_builtin', 'read_column', 'read_ids',
    'read_scores', 'write_ids', 'write_json', 'write_scores', 'read_features',
    'write_features'
]

"""Small file helpers: every file is written to a temporary name and renamed
into place, so a killed process never leaves a half-written file under the
final name."""
import csv
import io
import json
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``.
    """
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_ids(path: str, ids: Iterable[str]) -> None:
    """One image id per line."""
    atomic_write(path, ''.join(f'{i}\n' for i in ids))


def read_ids(path: str) -> List[str]:
    """Ids of a list file (first tab-separated field of each non-empty line).
    """
    with open(path) as f:
        return [line.split('\t')[0].strip() for line in f if line.strip()]


def write_scores(path: str,
                 scores: Dict[str, float],
                 column: str,
                 extra: Optional[Dict[str, object]] = None,
                 extra_column: str = '') -> None:
    """A csv ``image,<column>[,<extra_column>]``, scores at full float
    precision (``repr``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(['image', column] + ([extra_column] if extra else []))
    values = map(repr, map(float, scores.values()))
    writer.writerows(
        zip(scores, values, map(extra.__getitem__, scores)
            ) if extra else zip(scores, values))
    atomic_write(path, buf.getvalue())


def _scores_reader(path: str, column: str):
    """``(csv reader past the header, index of column)``; ``csv.reader``,
    not ``DictReader``: twice as fast on a million rows."""
    f = open(path, newline='')
    reader = csv.reader(f)
    header = next(reader, None) or []
    if column not in header or header[0] != 'image':
        f.close()
        raise ValueError(f'{path}: no column {column!r} (header {header})')
    return f, reader, header.index(column)


def read_column(path: str, column: str) -> Dict[str, str]:
    """One column of a scores csv, by image id."""
    f, reader, k = _scores_reader(path, column)
    with f:
        return {row[0]: row[k] for row in reader if row}


def read_scores(path: str, column: str) -> Dict[str, float]:
    """Read a csv written by :func:`write_scores`."""
    f, reader, k = _scores_reader(path, column)
    if k != 1:
        f.close()
        raise ValueError(f'{path}: header starts {column!r} at column {k}, '
                         f'expected image,{column}')
    with f:
        return {row[0]: float(row[1]) for row in reader if row}


def write_features(path: str, ids: List[str], **arrays) -> None:
    """``features.npz``: ``ids`` and each of ``arrays`` (rows as ``ids``;
    None ones left out), written whole or not at all."""
    import numpy as np
    tmp = f'{path}.tmp{os.getpid()}.npz'
    np.savez(
        tmp,
        ids=np.array(ids),
        **{
            k: v
            for k, v in arrays.items() if v is not None
        })
    os.replace(tmp, path)


def read_features(path: str, ids: List[str], name: str = 'features'):
    """The rows of array ``name`` of a ``features.npz`` for ``ids``, in that
    order."""
    import numpy as np
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} does not exist')
    with np.load(path) as data:
        if name not in data:
            raise KeyError(f'{path} has no {name}')
        row = {str(i): k for k, i in enumerate(data['ids'])}
        missing = [i for i in ids if i not in row]
        if missing:
            raise KeyError(f'{path} has no row for {len(missing)} images, '
                           f'e.g. {missing[0]}')
        return data[name][[row[i] for i in ids]]


def write_json(path: str, obj) -> None:
    atomic_write(path, json.dumps(obj, indent=2, sort_keys=True) + '\n')


def metrics_to_builtin(metrics: dict) -> Dict[str, float]:
    """Metric values as Python floats, by their shortest decimal form (mmseg
    returns NumPy float32, whose ``float()`` shows noise digits: 6.3 ->
    6.300000190734863)."""
    return {k: float(str(v)) for k, v in metrics.items()}

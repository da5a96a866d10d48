"""Read Fashion-MNIST / MNIST IDX files (plain or gzip) with NumPy."""
import gzip
import os.path as osp

import numpy as np

# IDX type codes (third byte of the magic number) to NumPy dtypes.
_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: '>i2',
    0x0C: '>i4',
    0x0D: '>f4',
    0x0E: '>f8'
}

FASHION_MNIST_FILES = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}
DEFAULT_SOURCE = '/usr/share/datasets/fashion-mnist'


def read_idx(path: str) -> np.ndarray:
    """Read one IDX file into an array.

    Args:
        path (str): The file, gzip-compressed if it ends in ``.gz``.

    Returns:
        np.ndarray: The array with the shape written in the file's header.
    """
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise ValueError(f'{path}: not an IDX file (bad magic number)')
    ndim = data[3]
    shape = tuple(
        int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    dtype = np.dtype(_DTYPES[data[2]])
    offset = 4 + 4 * ndim
    count = int(np.prod(shape))
    if len(data) - offset < count * dtype.itemsize:
        raise ValueError(
            f'{path}: truncated IDX file ({len(data) - offset} bytes of data, '
            f'header says {count * dtype.itemsize})')
    return np.frombuffer(data, dtype, count, offset).reshape(shape)


def _find(source: str, stem: str) -> str:
    for name in (stem + '.gz', stem):
        path = osp.join(source, name)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        f'{source}: neither {stem}.gz nor {stem} found '
        '(install the Debian package dataset-fashion-mnist or pass --source)')


def load_fashion_mnist(source: str = DEFAULT_SOURCE,
                       split: str = 'train') -> tuple:
    """Load one Fashion-MNIST split.

    Args:
        source (str): Folder with the four IDX files. Defaults to the Debian
            package's folder.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.

    Returns:
        tuple: ``(images, labels)``, uint8 arrays of shape (N, 28, 28) and
            (N,).
    """
    img_stem, lbl_stem = FASHION_MNIST_FILES[split]
    images = read_idx(_find(source, img_stem))
    labels = read_idx(_find(source, lbl_stem))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f'{source}: {split} images {images.shape} and labels '
                         f'{labels.shape} '
                         'do not match')
    return images, labels

"""Picks against the pool in 2-D (PT4AL's t-SNE figure): the pool's pooled
features projected once per run (or once for several runs), the labelled
images and each cycle's new picks drawn over it."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..utils import read_ids, read_scores, write_scores
from ..utils.errors import UserError
from ..utils.io import read_column

# t-SNE up to this many images; PCA beyond (t-SNE's cost grows as n log n
# with a large constant: minutes at CIFAR's 50,000 on two cores).
MAX_TSNE = 5000

#: Each pool image's true class, where labels are known (a run's
#: ``pretext/classes.csv``: ``image,class,name``).
CLASSES_FILE = osp.join('pretext', 'classes.csv')
LEGEND_WIDTH = 1.3  # inches per legend column


def project(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """(N, 2) coordinates of (N, D) features: scikit-learn's t-SNE (PCA
    initialisation, perplexity min(30, (N - 1) / 3), seeded) on
    L2-normalised features, or their first two principal components when N
    exceeds ``MAX_TSNE``."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    x = np.asarray(features, np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    if len(x) < 4:
        raise UserError(f'an embedding plot needs at least 4 images, got '
                        f'{len(x)}')
    if len(x) > MAX_TSNE:
        return PCA(2, random_state=seed).fit_transform(x)
    return TSNE(
        2,
        perplexity=min(30.0, (len(x) - 1) / 3),
        init='pca',
        random_state=seed).fit_transform(x)


def projection(features_file: str, cache: Optional[str] = None) -> tuple:
    """``(ids, xy)`` of every image in ``features_file``, from ``cache``
    (an .npz written here) when it was made from the same file."""
    stamp = np.array(
        [osp.getsize(features_file),
         os.stat(features_file).st_mtime_ns])
    if cache and osp.isfile(cache):
        with np.load(cache) as z:
            if np.array_equal(z['stamp'], stamp):
                return [str(i) for i in z['ids']], z['xy']
    with np.load(features_file) as z:  # every image of the file, one read
        ids, features = [str(i) for i in z['ids']], z['features']
    xy = project(features)
    if cache:
        tmp = f'{cache}.tmp{os.getpid()}.npz'
        np.savez(tmp, ids=np.array(ids), xy=xy, stamp=stamp)
        os.replace(tmp, cache)
    return ids, xy


def cycle_sets(work_dir: str) -> List[Dict[str, List[str]]]:
    """Per finished selection: ``labelled`` before the cycle and its
    ``picked`` images (each cycle's ``selected.txt``)."""
    out, before = [], []
    cycle = 0
    while osp.isfile(osp.join(work_dir, f'cycle_{cycle:02d}', 'selected.txt')):
        picked = read_ids(
            osp.join(work_dir, f'cycle_{cycle:02d}', 'selected.txt'))
        out.append(dict(labelled=list(before), picked=picked))
        before += picked
        cycle += 1
    return out


def write_classes(work_dir: str, pool) -> None:
    """``pretext/classes.csv``: each image's true class
    (:meth:`~pt4al_seg.engine.pool.Pool.image_class`) and its name, for
    images that have a label; written once per run."""
    path = osp.join(work_dir, CLASSES_FILE)
    if osp.isfile(path):
        return
    classes = pool.image_classes()
    if not classes:  # nothing to colour by
        return
    write_scores(path, classes, 'class', {
        i: pool.classes[c]
        for i, c in classes.items()
    }, 'name')


def read_classes(work_dir: str) -> Optional[tuple]:
    """``({image: class}, {class: name})`` from a run's
    ``pretext/classes.csv``, or None when it has none."""
    path = osp.join(work_dir, CLASSES_FILE)
    if not osp.isfile(path):
        return None
    classes = {i: int(c) for i, c in read_scores(path, 'class').items()}
    names = read_column(path, 'name')
    return classes, {c: names[i] for i, c in classes.items()}


def class_colours(num: int) -> list:
    """Colours for the pool's classes: matplotlib's tab20 (its light half
    first) without its reds and greys, so the picks (red) and the images
    without a class (grey) stand apart, then tab20b; repeated beyond 36."""
    from matplotlib import colormaps
    tab = colormaps['tab20'].colors
    keep = [k for k in range(20) if k // 2 not in (3, 7)]  # red, grey
    light = [tab[k]
             for k in keep if k % 2] + [tab[k] for k in keep if not k % 2]
    light += list(colormaps['tab20b'].colors)
    return [light[c % len(light)] for c in range(num)]


def draw(ax,
         ids: Sequence[str],
         xy: np.ndarray,
         labelled: Sequence[str],
         picked: Sequence[str],
         title: str,
         classes: Optional[Dict[str, int]] = None) -> None:
    """The pool light grey (or a light colour per true class, with
    ``classes``), the labelled images dark grey, the picks red (images
    missing from the projection are left out)."""
    index = {i: k for k, i in enumerate(ids)}
    colour = '#d0d0d0'
    if classes:
        palette = class_colours(max(classes.values()) + 1)
        colour = [
            palette[classes[i]] if i in classes else (0.82, 0.82, 0.82)
            for i in ids
        ]
    ax.scatter(xy[:, 0], xy[:, 1], s=4, c=colour, linewidths=0)
    for group, colour, size in ((labelled, '#404040', 8), (picked, '#d62728',
                                                           12)):
        rows = [index[i] for i in group if i in index]
        ax.scatter(xy[rows, 0], xy[rows, 1], s=size, c=colour, linewidths=0)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def figure(path: str,
           runs: Dict[str, str],
           features_file: str,
           cycles: Optional[List[int]] = None,
           cache: Optional[str] = None) -> None:
    """One figure: a row per run (name -> work dir), a panel per cycle
    (``cycles``, default every cycle the runs finished selecting), all on
    one projection of ``features_file``; the pool coloured by true class
    (a legend beside) when the first run that has a ``pretext/classes.csv``
    gives them."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    ids, xy = projection(features_file, cache)
    known = next(
        (c for c in map(read_classes, runs.values()) if c is not None), None)
    sets = {name: cycle_sets(wd) for name, wd in runs.items()}
    for name, wd in runs.items():
        if not sets[name]:
            raise UserError(f'{wd} has no cycle_00/selected.txt: no '
                            'selection to draw')
    done = max(len(s) for s in sets.values())
    if cycles is None:
        cycles = list(range(done))
    late = [c for c in cycles if not 0 <= c < done]
    if late:
        raise UserError(f'cycle {late[0]} has no selection in any of the runs '
                        f'(they selected cycles 0..{done - 1})')
    fig, axes = plt.subplots(
        len(runs),
        len(cycles),
        figsize=(2.6 * len(cycles) +
                 (LEGEND_WIDTH * columns(known[1]) if known else 0),
                 2.6 * len(runs)),
        squeeze=False)
    for r, name in enumerate(runs):
        for c, cycle in enumerate(cycles):
            ax = axes[r][c]
            if cycle >= len(sets[name]):
                ax.axis('off')
                continue
            s = sets[name][cycle]
            draw(ax, ids, xy, s['labelled'], s['picked'],
                 f'{name}, cycle {cycle} (+{len(s["picked"])})',
                 known[0] if known else None)
    if known:
        legend(fig, known[1])
    else:
        fig.tight_layout()
    tmp = f'{path}.tmp{os.getpid()}.png'
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def legend(fig, names: Dict[int, str]) -> None:
    """The classes' colours (and the labelled images and picks) to the
    right of the panels."""
    from matplotlib.lines import Line2D
    palette = class_colours(max(names) + 1)

    def dot(colour, label):
        return Line2D([], [],
                      marker='o',
                      linestyle='',
                      markersize=4,
                      color=colour,
                      label=label)

    handles = [dot(palette[c], names[c]) for c in sorted(names)]
    handles += [dot('#404040', 'labelled'), dot('#d62728', 'picked')]
    width = fig.get_size_inches()[0]
    fig.tight_layout(rect=(0, 0, 1 - LEGEND_WIDTH * columns(names) / width, 1))
    fig.legend(
        handles=handles,
        loc='center right',
        fontsize=6,
        frameon=False,
        ncol=columns(names))


def columns(names: Dict[int, str]) -> int:
    """Legend columns: 24 entries each (ADE20K's 150 classes: 7)."""
    return -(-(len(names) + 2) // 24)


def run_embeddings(work_dir: str,
                   features_file: Optional[str] = None,
                   cycles: Optional[List[int]] = None) -> List[str]:
    """``cycle_XX/embedding.png`` for each finished selection of a run (or
    ``cycles``), on the projection of ``features_file`` (default: the run's
    ``pretext/features.npz``; cached as ``pretext/embedding.npz`` then)."""
    own = osp.join(work_dir, 'pretext', 'features.npz')
    features_file = features_file or own
    if not osp.isfile(features_file):
        raise UserError(f'{features_file} does not exist: give the pool\'s '
                        'features (a PT4AL run\'s pretext/features.npz)')
    cache = osp.join(work_dir, 'pretext',
                     'embedding.npz') if features_file == own else None
    written = []
    for cycle in cycles if cycles is not None else range(
            len(cycle_sets(work_dir))):
        path = osp.join(work_dir, f'cycle_{cycle:02d}', 'embedding.png')
        figure(
            path, {osp.basename(osp.normpath(work_dir)): work_dir},
            features_file, [cycle],
            cache=cache)
        written.append(path)
    return written

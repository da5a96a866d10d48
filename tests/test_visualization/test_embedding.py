import os
import os.path as osp
import struct

import numpy as np
import pytest

from pt4al_seg.datasets.fashion_scenes import FashionScenesDataset
from pt4al_seg.utils import read_ids, write_features
from pt4al_seg.visualization import embedding
from ..conftest import run_in_process


def blobs(n=30, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.eye(d)[:3] * 10
    x = np.concatenate([c + rng.normal(0, 0.3, (n, d)) for c in centres])
    return x, np.repeat(np.arange(3), n)


def test_tsne_keeps_separated_blobs_apart_and_is_seeded():
    x, label = blobs()
    xy = embedding.project(x)
    assert xy.shape == (90, 2)
    assert np.array_equal(xy, embedding.project(x))
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    same = label[:, None] == label[None]
    assert d[same].max() < d[~same].min()  # every blob its own island


def test_pca_beyond_the_tsne_limit(monkeypatch):
    from sklearn.decomposition import PCA
    x, _ = blobs(n=5)
    monkeypatch.setattr(embedding, 'MAX_TSNE', 10)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    expected = PCA(2, random_state=0).fit_transform(unit.astype(np.float32))
    assert np.allclose(embedding.project(x), expected, atol=1e-5)
    with pytest.raises(Exception, match='at least 4'):
        embedding.project(x[:3])


def test_cycle_sets_and_cached_projection(tmp_path):
    for c, ids in enumerate((['a', 'b'], ['c'])):
        (tmp_path / f'cycle_{c:02d}').mkdir()
        (tmp_path / f'cycle_{c:02d}' /
         'selected.txt').write_text('\n'.join(ids) + '\n')
    assert embedding.cycle_sets(str(tmp_path)) == [
        dict(labelled=[], picked=['a', 'b']),
        dict(labelled=['a', 'b'], picked=['c'])
    ]
    x, _ = blobs(n=4)
    ids = [f'{i:02d}' for i in range(len(x))]
    feats, cache = str(tmp_path / 'f.npz'), str(tmp_path / 'c.npz')
    write_features(feats, ids, features=x)
    got_ids, xy = embedding.projection(feats, cache)
    assert got_ids == ids and osp.isfile(cache)
    np.savez(
        cache, ids=np.array(ids), xy=xy * 0 + 7, stamp=np.load(cache)['stamp'])
    assert (embedding.projection(feats, cache)[1] == 7).all()  # from cache


def write_label_map(path, label):
    from PIL import Image
    Image.fromarray(np.asarray(label, np.uint8)).save(path)


def test_image_class_is_the_main_labelled_class(tmp_path):
    """An image's class: the class on most pixels, not counting the ignore
    index, nor the background unless nothing else is there; reduce_zero_label
    shifts first; a classifier's gt_label as it is; no label -> None."""
    from pt4al_seg.engine.pool import Pool
    maps = dict(
        a=[[0, 0, 0, 0], [0, 0, 2, 2], [1, 255, 255, 255]],  # 2 beats 1
        b=[[0, 0, 0, 0], [0, 0, 0, 0], [255, 255, 255, 255]],  # only bg
        c=[[255, 255, 255, 255]] * 3,  # nothing labelled
        d=[[3, 3, 1, 1], [1, 0, 0, 0], [0, 0, 0, 0]])
    infos = {}
    for i, label in maps.items():
        write_label_map(tmp_path / f'{i}.png', label)
        infos[i] = dict(seg_map_path=str(tmp_path / f'{i}.png'))
    infos['e'] = dict(seg_map_path=str(tmp_path / 'missing.png'))
    ids = list(infos)
    names = ('background', 'x', 'y', 'z')
    pool = Pool(ids, infos, '', names, ignore_index=255)
    assert pool.image_classes() == dict(a=2, b=0, d=1)
    assert pool.image_class('e') is None
    # without a class called background, class 0 counts like any other
    assert Pool(ids, infos, '', ('sky', 'x', 'y', 'z'),
                255).image_classes() == dict(
                    a=0, b=0, d=0)
    # reduce_zero_label: 0 is ignored, 1 -> 0 ('sky'), 3 -> 2
    assert Pool(ids, infos, '', ('sky', 'y', 'z'), 255,
                True).image_classes() == dict(
                    a=1, d=0)
    cls = Pool(['p', 'q'], dict(p=dict(gt_label=3), q=dict(gt_label=0)), '',
               names)
    assert cls.image_classes() == dict(p=3, q=0)
    # nothing to colour by: no classes file (a later plot draws grey)
    run = tmp_path / 'run'
    embedding.write_classes(str(run), Pool(['c'], infos, '', names, 255))
    assert not (run / 'pretext').exists()
    assert embedding.read_classes(str(run)) is None
    embedding.write_classes(str(run), pool)
    assert embedding.read_classes(str(run)) == (dict(a=2, b=0, d=1), {
        0: 'background',
        1: 'x',
        2: 'y'
    })


def test_the_pool_is_coloured_by_class_where_known(tmp_path):
    """The pool's points take their class's colour (grey where unknown); the
    labelled images and the picks keep theirs; a legend widens the figure."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    x, label = blobs(n=4)
    ids = [f'{i:02d}' for i in range(len(x))]
    classes = {i: int(c) for i, c in zip(ids, label) if i != '05'}
    fig, ax = plt.subplots()
    embedding.draw(ax, ids, x[:, :2], ['00'], ['01', '02'], 't', classes)
    pool, labelled, picked = ax.collections
    palette = embedding.class_colours(3)
    expected = [
        to_rgba(palette[classes[i]]) if i in classes else to_rgba('#d1d1d1')
        for i in ids
    ]
    assert np.allclose(pool.get_facecolors(), expected, atol=0.01)
    assert len(set(embedding.class_colours(36))) == 36  # distinct
    assert np.allclose(labelled.get_facecolors(), [to_rgba('#404040')])
    assert np.allclose(picked.get_facecolors(), [to_rgba('#d62728')])
    plt.close(fig)
    # a hand-made run: features, one selection, classes.csv or none
    run = tmp_path / 'run'
    (run / 'cycle_00').mkdir(parents=True)
    (run / 'cycle_00' / 'selected.txt').write_text('00\n01\n')
    write_features(str(tmp_path / 'f.npz'), ids, features=x)
    widths = []
    for with_classes in (False, True):
        if with_classes:
            from pt4al_seg.utils import write_scores
            write_scores(
                str(run / 'pretext' / 'classes.csv'), classes, 'class', {
                    i: 'abc'[c]
                    for i, c in classes.items()
                }, 'name')
            assert embedding.read_classes(str(run)) == (classes,
                                                        dict(enumerate('abc')))
        else:
            assert embedding.read_classes(str(run)) is None
        out = str(tmp_path / f'{with_classes}.png')
        embedding.figure(out, dict(run=str(run)), str(tmp_path / 'f.npz'))
        widths.append(struct.unpack('>II', open(out, 'rb').read(24)[16:24]))
    assert widths == [(286, 286), (429, 286)]


def test_a_run_draws_each_cycle_and_the_tool_compares_runs(
        finished_run, tiny_scenes, tmp_path):
    """A PT4AL run writes cycle_XX/embedding.png on one projection of its
    pool's pretext features (pretext/embedding.npz, every pool image); the
    tool draws several runs into one figure."""
    for c in (0, 1):
        png = osp.join(finished_run, f'cycle_{c:02d}', 'embedding.png')
        assert open(png, 'rb').read(4) == b'\x89PNG'
    z = np.load(osp.join(finished_run, 'pretext', 'embedding.npz'))
    assert sorted(z['ids'].tolist()) == sorted(
        read_ids(osp.join(finished_run, 'pool.txt')))
    assert z['xy'].shape == (60, 2)
    # every pool image's true class: the most frequent of the classes 1-10
    # (0 is the background) in its label map, read here by hand
    from PIL import Image

    from pt4al_seg.utils import read_scores
    from pt4al_seg.utils.io import read_column
    classes_csv = osp.join(finished_run, 'pretext', 'classes.csv')
    got = read_scores(classes_csv, 'class')
    pool = read_ids(osp.join(finished_run, 'pool.txt'))
    expected = {}
    for i in pool:
        label = np.array(
            Image.open(osp.join(tiny_scenes, 'ann_dir', 'train', f'{i}.png')))
        counts = np.bincount(label[label < 11].ravel(), minlength=11)
        expected[i] = float(counts[1:].argmax() + 1 if counts[1:].any() else 0)
    assert got == expected
    assert read_column(classes_csv, 'name')[pool[0]] == \
        FashionScenesDataset.METAINFO['classes'][int(expected[pool[0]])]
    runs = [str(tmp_path / name) for name in ('a', 'b')]
    for run in runs:
        os.symlink(finished_run, run)
    sizes = {}
    for cycles in (['1'], ['0', '1']):
        out = str(tmp_path / f'{len(cycles)}.png')
        proc = run_in_process([
            'tools/plot_embedding.py', *runs, '--cycles', *cycles, '--out', out
        ])
        assert proc.returncode == 0, proc.stderr
        head = open(out, 'rb').read(24)
        assert head[:4] == b'\x89PNG'
        sizes[len(cycles)] = struct.unpack('>II', head[16:24])  # w, h
    # a row per run (2.6 in), a panel per cycle (2.6 in), the class legend
    # (1.3 in) beside: the run knows each image's class; 110 dpi
    assert sizes == {1: (429, 572), 2: (715, 572)}
    for argv, error in (
        ([finished_run, finished_run], 'several runs go into one figure: '
         'give --out'), ([finished_run, finished_run, '--out',
                          out], 'the same work dir twice: give each run once'),
        ([*runs, '--cycles', '2', '--out',
          out], 'cycle 2 has no selection in any of the runs (they selected '
         'cycles 0..1)')):
        proc = run_in_process(['tools/plot_embedding.py', *argv])
        assert proc.returncode == 2
        assert proc.stderr.strip() == f'plot_embedding.py: error: {error}'
    proc = run_in_process(
        ['tools/plot_embedding.py',
         str(tmp_path), '--out', out])
    assert proc.stderr.strip().endswith(
        'pretext/features.npz does not exist: give --features')

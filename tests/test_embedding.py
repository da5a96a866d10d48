import os
import os.path as osp
import struct

import numpy as np
import pytest

from pt4al_seg import embedding
from pt4al_seg.utils import read_ids, write_features
from .conftest import run_in_process


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


def test_a_run_draws_each_cycle_and_the_tool_compares_runs(
        finished_run, tmp_path):
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
    # a row per run, a panel per cycle
    assert sizes[1][1] == sizes[2][1] and sizes[2][0] > 1.8 * sizes[1][0]
    assert sizes[1][1] > 1.8 * sizes[1][0]  # 2 rows of 1 panel: tall
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

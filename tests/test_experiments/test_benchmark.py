"""tools/benchmark.py on tiny data: every row it promises, the ratios and
growth factors consistent with its own seconds (no timing is asserted: the
numbers are for the README)."""
import json

import pytest
import torch

from ..conftest import CONFIG, assert_refusals, run_in_process

STEPS = [
    'rank into 10 batches', 'top-k (k = n/10)', 'class-balanced (k = n/10)',
    'every n-th (k = n/10)', 'write + read ids', 'write + read scores',
    'state write'
]


def test_benchmark_tool_on_tiny_data(tiny_scenes, tmp_path):
    proc = run_in_process([
        'tools/benchmark.py', CONFIG, '--work-dir',
        str(tmp_path), '--num-images', '3', '--pool-sizes', '100', '1000',
        '--cfg-options', f'data_root={tiny_scenes}',
        'model.data_preprocessor.size=(32,32)',
        'test_dataloader.num_workers=0', 'train_dataloader.num_workers=0',
        '--kcenter-size', '50', '20', '8', '10', '--cover-size', '60', '8'
    ])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.load(open(tmp_path / 'benchmark.json'))
    loops = [r['loop'] for r in out['scoring']]
    assert loops == [
        'bare test_step loop', "mmseg's test loop",
        'scoring pass (LeastConfidence)', 'scoring pass (Entropy)',
        'scoring pass (Margin)', 'scoring pass (BALD)',
        'scoring pass (LeastConfidence, bf16)', 'pretext: bare test_step loop',
        'pretext: scoring pass', 'upfront file checks'
    ]
    checks = out['scoring'][-1]
    assert checks['vs_pretext_pass'] == pytest.approx(
        checks['seconds'] / out['scoring'][-2]['seconds'],
        rel=0.01 + 1e-3 / checks['seconds'],
        abs=2e-3)
    assert 'upfront file checks: ' in proc.stdout
    for r in out['scoring']:
        bare = out['scoring'][0 if 'pretext' not in r['loop'] else 7]
        assert r['images'] == 3
        # seconds are rounded to 1 ms: the ratio is as exact as they are
        assert r['vs_bare'] == pytest.approx(
            bare['seconds'] / r['seconds'],
            rel=0.01 + 1e-3 / r['seconds'] + 1e-3 / bare['seconds'],
            abs=2e-3)
    # the scoring passes wrote their scores: the same 3 images each
    for query in ('LeastConfidence', 'Entropy', 'Margin', 'BALD',
                  'LeastConfidence_bf16'):
        rows = (tmp_path / f'score_{query}' /
                'scores.csv').read_text().splitlines()
        assert len(rows) == 4 and rows[0] == 'image,score'
    assert [r['images'] for r in out['memory']] == [3, 12]
    assert all(r['peak_rss_mib'] > 100 for r in out['memory'])
    # the same pass by 1 and by 2 processes (gloo), the speedup over 1
    assert [(r['processes'], r['images'])
            for r in out['processes']] == [(1, 3), (2, 3)]
    one, two = out['processes']
    assert one['speedup'] == 1.0 and two['speedup'] == pytest.approx(
        one['seconds'] / two['seconds'], rel=0.01, abs=0.01)
    for world in (1, 2):  # every image scored once, whatever the processes
        rows = (tmp_path / f'processes_{world}' / 'score_LeastConfidence' /
                'scores.csv').read_text().splitlines()
        assert len(rows) == 4
    k = out['kcenter']
    assert (k['candidates'], k['labelled'], k['dim'], k['picks']) == (50, 20,
                                                                      8, 10)
    assert k['device'] == ('cuda' if torch.cuda.is_available() else 'cpu')
    assert [(r['step'], r['points'], r['dim']) for r in out['cover']
            ] == [('20 nearest neighbours of every point', 60, 8),
                  ('k-means, 50 clusters', 60, 8),
                  ('every delta-ball (delta = 1.3)', 60, 8)]
    assert 'k-center greedy: ' in proc.stdout
    assert [(r['step'], r['pool']) for r in out['driver']
            ] == [(s, n) for n in (100, 1000) for s in STEPS]
    seconds = {(r['step'], r['pool']): r['seconds'] for r in out['driver']}
    for r in out['driver']:
        small = seconds.get((r['step'], r['pool'] // 10))
        if r['pool'] == 100 or not small:
            assert r['growth_per_10x'] is None
        else:
            assert r['growth_per_10x'] == round(r['seconds'] / small, 1)
    assert 'driver: ' in proc.stdout and 'for a pool of 1000 ids' in \
        proc.stdout


def test_bad_sizes_are_refused_before_any_work(tmp_path):
    assert_refusals(
        ['tools/benchmark.py', CONFIG, '--work-dir',
         str(tmp_path / 'b')],
        [(['--cover-size', '0', '512'], '--cover-size: every value positive, '
          'or all 0 to skip the rows; got 0 512'),
         (['--cover-size', '20', '8'], '--cover-size: k-means takes 50 '
          'clusters, so at least 50 points; got 20'),
         (['--kcenter-size', '10', '0', '8', '2'], '--kcenter-size: every '
          'value positive, or all 0 to skip the rows; got 10 0 8 2')])
    assert not (tmp_path / 'b').exists()

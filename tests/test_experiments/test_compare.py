"""tools/compare.py: strategies x seeds, aggregated (mean ± std), resumable."""
import csv
import shutil
import struct
import subprocess
import sys

import pytest

from pt4al_seg.experiments.compare import (collect, markdown_table, mean_std,
                                           resolve)
from pt4al_seg.utils.errors import UserError
from ..conftest import CONFIG, REPO, check_contract, tiny_options


def write_summary(path, values):
    path.parent.mkdir(parents=True)
    path.write_text('cycle,num_labelled,fraction,mIoU\n' +
                    ''.join(f'{c},{(c + 1) * 5},{(c + 1) / 10},{v}\n'
                            for c, v in enumerate(values)))


def test_aggregation(tmp_path):
    write_summary(tmp_path / 'a' / 'seed_0' / 'summary.csv', [10, 20])
    write_summary(tmp_path / 'a' / 'seed_1' / 'summary.csv', [12, 24])
    write_summary(tmp_path / 'b' / 'seed_0' / 'summary.csv', [5, ''])
    with pytest.raises(UserError, match='b/seed_1/summary.csv does not exist'):
        collect(str(tmp_path), ['a', 'b'], [0, 1], 'mIoU')
    rows = collect(str(tmp_path), ['a'], [0, 1], 'mIoU') + collect(
        str(tmp_path), ['b'], [0], 'mIoU')
    assert len(rows) == 6
    stats = mean_std(rows, 'mIoU')
    assert stats['a'][0] == (5, 11.0, pytest.approx(2**0.5), 2)
    assert stats['a'][1][1] == 22.0 and 1 not in stats['b']
    table = markdown_table(stats, 'mIoU')
    assert '| a | 11.00 ± 1.41 | 22.00 ± 2.83 |' in table
    with pytest.raises(UserError, match="unknown strategy 'oracle'"):
        resolve('oracle')
    assert resolve('coreset') == ('coreset', None)
    assert resolve('pt4al-jigsaw') == ('pt4al', 'jigsaw')
    assert resolve('pt4al-simsiam-init-pretext') == ('pt4al-init-pretext',
                                                     'simsiam')
    assert resolve('pt4al-init-pretext') == ('pt4al-init-pretext', None)


def test_compare_tool_runs_and_resumes(finished_run, tiny_scenes, tmp_path):
    """PT4AL's run is already there (the session's finished run, the same
    config and seed): the tool resumes it, which redoes nothing, runs the
    random baseline, and PT4AL starting from the pretext weights, which takes
    PT4AL's pretext stage instead of training the same one again."""
    shutil.copytree(finished_run, tmp_path / 'pt4al' / 'seed_0')
    written = {
        p: p.stat().st_mtime_ns
        for p in tmp_path.glob('pt4al/seed_0/**/*') if p.is_file()
    }
    proc = subprocess.run([
        sys.executable, 'tools/compare.py', CONFIG, '--strategies', 'pt4al',
        'random', 'pt4al-init-pretext', '--seeds', '0', '--work-dir',
        str(tmp_path), *tiny_options(tiny_scenes)
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the finished run was not redone: none of its files was written again
    # (the new run log of its --resume aside)
    rewritten = [
        p for p, t in written.items()
        if not p.exists() or p.stat().st_mtime_ns != t
    ]
    assert rewritten == []
    rows = list(csv.DictReader(open(tmp_path / 'compare.csv')))
    assert [(r['strategy'], r['cycle']) for r in rows] == [
        (s, c) for s in ('pt4al', 'random', 'pt4al-init-pretext') for c in '01'
    ]
    assert list(
        rows[0]) == ['strategy', 'seed', 'cycle', 'num_labelled', 'mIoU']
    summaries = [
        list(csv.DictReader(open(tmp_path / s / 'seed_0' / 'summary.csv')))
        for s in ('pt4al', 'random', 'pt4al-init-pretext')
    ]
    assert [r['mIoU'] for r in rows
            ] == [r['mIoU'] for summary in summaries for r in summary]
    assert (tmp_path / 'compare.png').read_bytes()[:4] == b'\x89PNG'
    assert '| pt4al |' in proc.stdout and '| random |' in proc.stdout
    # the pretext table: PT4AL's H1 (its h1.json) and pretext training time
    import json
    rho = json.load(
        open(tmp_path / 'pt4al' / 'seed_0' / 'pretext' / 'h1.json'))['rho']
    pretext = proc.stdout[proc.stdout.index('| strategy | H1: Spearman rho'):]
    assert f'| pt4al | {rho:.3f} ± 0.000 (1) | ' in pretext
    assert '| random |' not in pretext
    # the shared stage: PT4AL's files, not trained again, its training time
    source, shared = tmp_path / 'pt4al' / 'seed_0', tmp_path / (
        'pt4al-init-pretext') / 'seed_0'
    for f in ('model.pth', 'losses.csv', 'features.npz'):
        assert (shared / 'pretext' / f).read_bytes() == (source / 'pretext' /
                                                         f).read_bytes()
    assert (shared / 'pretext' / 'source.txt').read_text() == f'{source}\n'
    steps = [(r['phase'], r['step'])
             for r in csv.DictReader(open(shared / 'timings.csv'))]
    assert ('pretext', 'adopt') in steps and ('pretext', 'train') not in steps
    assert f'pretext: the stage of {source} (model.pth' in proc.stdout + \
        proc.stderr
    seconds = pretext[pretext.index('| pt4al |'):].split('|')[3]
    assert pretext.split('| pt4al-init-pretext |')[1].split('|')[1] == \
        seconds
    check_contract(shared)
    assert not (tmp_path / 'random' / 'seed_0' /
                'pretext').exists()  # pool strategy
    # the strategies' picks on the projection of PT4AL's pretext features:
    # a row each (3), a panel per cycle (2.6 in), the class legend (1.3 in)
    figure = tmp_path / 'embedding_seed_0.png'
    assert f'compare.py: {figure}' in proc.stdout
    head = figure.read_bytes()[:24]
    assert head[:4] == b'\x89PNG'
    assert struct.unpack('>II', head[16:24]) == (715, 858)


@pytest.mark.parametrize('config', [CONFIG, 'configs/pt4al_cls/demo.py'])
def test_every_strategy_name_makes_a_config_the_runner_accepts(config):
    """Every strategy config (the same files for both families) put into the
    demo config gives `al` settings, hooks (the config's and its query's) and
    a model (with what the strategy adds to it) that build, and a pretext
    stage wherever pretext features are asked for (the runner's own check);
    the names that promise it use pretext features; every part that takes a
    seed gets the run's; the config's budget, schedule and plots stay."""
    import inspect
    import os.path as osp

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from pt4al_seg.engine.hooks import build_al_hooks
    from pt4al_seg.engine.settings import ALSettings, hook_configs
    from pt4al_seg.engine.strategy_configs import strategy_names
    from pt4al_seg.experiments.compare import PRETEXTS, run_config
    from pt4al_seg.registry import PICKERS, QUERIES
    init_default_scope('mmseg')
    names = strategy_names() + [
        f'pt4al-{p}{s}' for p in PRETEXTS for s in ('', '-init-pretext')
    ]
    assert len(names) == 42
    given = Config.fromfile(osp.join(REPO, config))
    for name in names:
        cfg = run_config(osp.join(REPO, config), name)
        cfg.randomness.seed = 3
        _, pretext = resolve(name)
        if pretext:
            schedule = given.pretext
            assert cfg.pretext.train_cfg == schedule.train_cfg, name
            pretext_model = MODELS.build(
                dict(cfg.pretext.model, backbone=cfg.model.backbone))
            assert type(pretext_model).__name__.lower().startswith(
                pretext), name
        assert (cfg.al.get(
            'init',
            'scratch') == 'pretext') == name.endswith('init-pretext'), name
        assert (cfg.al.num_cycles, cfg.al.budget,
                cfg.train_cfg) == (given.al.num_cycles, given.al.budget,
                                   given.train_cfg), name
        assert {'embedding', 'h1'} <= set(cfg.al_hooks), name
        settings = ALSettings.from_config(cfg)
        strategy = settings.strategy()
        hooks = hook_configs(cfg.al_hooks)
        for hook in getattr(strategy.query, 'al_hooks', None) or []:
            hooks.setdefault(hook['type'], hook)
        hooks = build_al_hooks(hooks)
        if settings.model:
            cfg.merge_from_dict(dict(model=settings.model))
        MODELS.build(cfg.model)
        pretext = [h for h in hooks if hasattr(h, 'batches')]
        if settings.features == 'pretext':  # the runner's check passes
            assert pretext, name
        assert (settings.features == 'pretext') == (
            name in ('typiclust', 'probcover')
            or name.endswith('-start')), name
        if name.startswith('pt4al'):
            assert pretext and pretext[0].batches, name
        elif pretext:
            assert not pretext[0].batches, name
        parts = [(PICKERS, settings.picker), (QUERIES, settings.query),
                 (PICKERS, settings.cold_start['picker']),
                 (QUERIES, settings.cold_start.get('query'))]
        for registry, part in parts:
            if part is None:
                continue
            takes = inspect.signature(registry.get(part['type'])).parameters
            if 'seed' in takes:
                assert part.get('seed') == 3, (name, part)


def test_pretext_swap_follows_the_family():
    """Cityscapes configs get the Cityscapes pretext variants (their
    pipelines and tile sizes); the schedule stays the config's."""
    from mmengine.config import Config

    from pt4al_seg.experiments.compare import with_pretext
    path = ('configs/pt4al_seg/pt4al-rotation_deeplabv3_r50-d8_4xb2-20k_'
            'cityscapes-512x1024.py')
    cfg = with_pretext(Config.fromfile(path), 'jigsaw')
    assert cfg.pretext.model.type == 'JigsawPretext'
    assert cfg.pretext.model.cell == 85
    assert 'RandomResize' in [t.type for t in cfg.pretext.train_pipeline]
    assert cfg.pretext.train_cfg == Config.fromfile(path).pretext.train_cfg
    demo = with_pretext(Config.fromfile(CONFIG), 'jigsaw')
    assert demo.pretext.model.cell == 21
    cls = with_pretext(Config.fromfile('configs/pt4al_cls/demo.py'), 'jigsaw')
    assert cls.pretext.model.cell == 11
    assert cls.pretext.train_pipeline[0].type == 'LoadClsImage'
    unset = Config.fromfile(CONFIG)
    del unset.pretext['variants']
    with pytest.raises(UserError, match='pretext.variants is unset'):
        with_pretext(unset, 'jigsaw')
    with pytest.raises(UserError, match='no pretext stage'):
        with_pretext(
            Config.fromfile('configs/fullsup/'
                            'deeplabv3_r18-d8_1k_fashion-scenes-64x64.py'),
            'jigsaw')


def test_pretexts_shorthand_and_the_strategy_config_file(tmp_path):
    """--pretexts adds both variants of each pretext; a strategy's runs use
    WORK_DIR/<name>/config.py, the same bytes on every call (so they
    resume): the config given with the strategy, and for a pretext name the
    family's pretext, put in."""
    from mmengine.config import Config

    from pt4al_seg.experiments.compare import (expand_strategies, run_config,
                                               write_config)

    def strategy_config(config, name, work_dir):
        return write_config(run_config(config, name), work_dir, name)

    assert expand_strategies(None, []) == ['pt4al', 'random', 'lc']
    assert expand_strategies(None, ['jigsaw', 'simsiam']) == [
        'pt4al-jigsaw', 'pt4al-jigsaw-init-pretext', 'pt4al-simsiam',
        'pt4al-simsiam-init-pretext'
    ]
    assert expand_strategies(['random', 'pt4al-jigsaw'], ['jigsaw']) == [
        'random', 'pt4al-jigsaw', 'pt4al-jigsaw-init-pretext'
    ]
    lc = Config.fromfile(strategy_config(CONFIG, 'lc', str(tmp_path)))
    assert 'pretext' not in lc.al_hooks and lc.al.budget == 100
    path = strategy_config(CONFIG, 'pt4al-simsiam-init-pretext', str(tmp_path))
    assert path == str(tmp_path / 'pt4al-simsiam-init-pretext' / 'config.py')
    first = open(path).read()
    assert strategy_config(CONFIG, 'pt4al-simsiam-init-pretext',
                           str(tmp_path)) == path
    assert open(path).read() == first
    cfg = Config.fromfile(path)
    assert cfg.pretext.model.type == 'SimSiamPretext'
    assert cfg.pretext.train_cfg == Config.fromfile(CONFIG).pretext.train_cfg
    assert cfg.model == Config.fromfile(CONFIG).model


def test_features_option_swaps_pretext_features_for_a_checkpoints(tmp_path):
    """--features CKPT: the names that pick from pretext features take the
    checkpoint's instead; the pool ones lose their pretext stage, PT4AL's
    cold-start variants keep theirs (its batches); others are unchanged; the
    settings accept the result."""
    import os.path as osp

    from pt4al_seg.engine.settings import ALSettings
    from pt4al_seg.experiments.compare import run_config
    ckpt = str(tmp_path / 'ssl.pth')
    open(ckpt, 'w').close()
    config = osp.join(REPO, CONFIG)
    for name in ('typiclust', 'probcover', 'pt4al-typiclust-start'):
        cfg = run_config(config, name, ckpt)
        assert ALSettings.from_config(cfg).features == ckpt
        pool = not name.startswith('pt4al')
        assert ('pretext' not in cfg.al_hooks) == pool, name
    for name in ('coreset', 'typiclust-task', 'pt4al'):
        assert run_config(config, name,
                          ckpt).to_dict() == run_config(config,
                                                        name).to_dict()


def test_pretext_table_from_h1_and_timings(tmp_path):
    """H1's rho and the pretext training seconds per strategy, mean ± std
    over the seeds that have them (a NaN rho, from a constant loss, left
    out); strategies without a pretext stage are left out."""
    import json

    from pt4al_seg.experiments.compare import pretext_rows, pretext_table
    runs = {
        ('a', 0): (0.2, [10.0]),
        ('a', 1): (0.4, [14.0]),
        ('a', 2): (float('nan'), []),
        ('b', 0): (None, [7.0])
    }
    for (strategy, seed), (rho, train) in runs.items():
        wd = tmp_path / strategy / f'seed_{seed}'
        (wd / 'pretext').mkdir(parents=True)
        if rho is not None:
            (wd / 'pretext' / 'h1.json').write_text(json.dumps(dict(rho=rho)))
        (wd / 'timings.csv').write_text('phase,step,seconds\nrun,checks,1\n' +
                                        ''.join(f'pretext,train,{t}\n'
                                                for t in train) +
                                        'cycle_00,train,99\n')
    (tmp_path / 'c' / 'seed_0').mkdir(parents=True)
    (tmp_path / 'c' / 'seed_0' /
     'timings.csv').write_text('phase,step,seconds\ncycle_00,train,3\n')
    rows = pretext_rows(str(tmp_path), ['a', 'b', 'c'], [0, 1, 2])
    assert [r['strategy'] for r in rows] == ['a', 'b']
    assert rows[0]['rho'] == (2, pytest.approx(0.3),
                              pytest.approx(2**0.5 / 10))
    assert rows[0]['pretext_train_s'] == (2, 12.0, pytest.approx(2 * 2**0.5))
    assert rows[1]['rho'] == (0, None, 0.0)
    table = pretext_table(rows)
    assert '| a | 0.300 ± 0.141 (2) | 12.0 ± 2.8 (2) |' in table
    assert '| b |  | 7.0 ± 0.0 (1) |' in table
    assert pretext_table([]) == ''


def test_features_option_refused_where_unused_or_missing(tmp_path):
    from pt4al_seg.engine.strategy_configs import strategy_names
    from ..conftest import assert_refusals
    ckpt = tmp_path / 'ssl.pth'
    ckpt.write_bytes(b'')
    missing = tmp_path / 'no'
    assert_refusals(
        ['tools/compare.py', CONFIG, '--work-dir',
         str(tmp_path / 'wd')],
        [(['--strategies', 'random', 'lc', '--features',
           str(ckpt)], '--features: none of the strategies picks from '
          'pretext features (typiclust, probcover, pt4al-*-start)'),
         (['--strategies', 'typiclust', '--features',
           str(missing)], f'--features {missing} does not exist'),
         (['--strategies', 'pt4al', 'badg'], "unknown strategy 'badg': "
          'neither a config file nor one of ' + ', '.join(strategy_names()))])
    assert not (tmp_path / 'wd').exists()


def test_which_paths_pass_through_cfg_options():
    """A run's paths travel as --cfg-options values (AdoptPretextHook's
    source): the ones mmengine's DictAction would change are known."""
    from pt4al_seg.experiments.compare import adopt_options, passes_cfg_options
    assert passes_cfg_options('/work/cmp/pt4al/seed_0')
    assert passes_cfg_options('/w/ssl-1.5_ep=200.pth')
    assert not passes_cfg_options('/w/a,b/seed_0')  # split into a list
    assert not passes_cfg_options('/w/my runs/seed_0')  # space dropped
    assert not passes_cfg_options("/w/run'")  # quote stripped
    assert not passes_cfg_options('1')  # read as a number
    # a run of a comparison takes a stage only through a path that arrives
    assert adopt_options('/w/cmp/pt4al/seed_0') == [
        'al_hooks.adopt_pretext.type=AdoptPretextHook',
        'al_hooks.adopt_pretext.source=/w/cmp/pt4al/seed_0'
    ]
    assert adopt_options('/w/a,b/pt4al/seed_0') is None

import re

import pytest
from mmengine.config import Config

from pt4al_seg.engine import (ALConfigError, ALSettings, check_config,
                              list_pool, load_pool)
from ..conftest import REPO, point_to


def demo_cfg(**al):
    cfg = Config.fromfile(f'{REPO}/configs/pt4al_seg/demo.py')
    cfg.al.update(al)
    return cfg


def test_defaults_in_one_place():
    s = ALSettings.from_config(Config(dict(al=dict(num_cycles=2, budget=3))))
    assert s.query == dict(type='LeastConfidence') and s.picker == dict(
        type='TopK')
    assert s.cold_start == dict(
        query=dict(type='Random', seed=0), picker=dict(type='TopK'))
    assert (s.mode, s.init, s.score_batch_size,
            s.metric) == ('simulate', 'scratch', 4, 'mIoU')
    demo = ALSettings.from_config(demo_cfg())
    assert (demo.num_cycles, demo.budget, demo.score_batch_size) == (3, 100,
                                                                     16)
    assert demo.cold_start == dict(picker=dict(type='EveryNth'))


@pytest.mark.parametrize('change,message', [
    (dict(budget=0), 'al.budget must be a positive integer, got 0'),
    (dict(budget=None), 'al.budget must be a positive integer, got None'),
    (dict(num_cycles=-1), 'al.num_cycles must be a positive integer'),
    (dict(score_batch_size=0),
     'al.score_batch_size must be a positive integer, got 0'),
    (dict(query=dict(type='Confusion')),
     "al.query: unknown query 'Confusion'; known: "),
    (dict(picker=dict(type='Best')), "al.picker: unknown picker 'Best'"),
    (dict(init='imagenet'),
     "al.init must be one of scratch, previous, pretext, got "
     "'imagenet'"),
    (dict(mode='labels-please'), 'al.mode must be one of simulate, annotate'),
    (dict(resume_training='sometimes'),
     'al.resume_training must be one of restart'),
    (dict(
        cold_start=dict(
            picker=dict(type='ClassBalanced'), query=dict(type='Random'))),
     'al.cold_start picks before any model exists'),
    (dict(strategy='pool'),
     'al.strategy is no longer a setting: use al_hooks'),
    (dict(selector=dict(type='Entropy')),
     'al.selector is no longer a setting: use al.query'),
    (dict(budgte=5), 'unknown setting al.budgte; known: '),
    (dict(label_palette='red'), 'al.label_palette must be a list of'),
    (dict(label_palette=[(1, 2, 3), (1, 2, 3)]),
     'al.label_palette: colour (1, 2, 3) is given to classes 0 and 1'),
    (dict(region_mask='/missing/mask.png'),
     'al.region_mask: /missing/mask.png does not '
     'exist'),
])
def test_bad_al_settings(change, message):
    with pytest.raises(ALConfigError, match=re.escape(message)):
        ALSettings.from_config(demo_cfg(**change))


def test_region_mask_must_decode(tmp_path):
    (tmp_path / 'mask.png').write_bytes(b'not a png')
    with pytest.raises(
            ALConfigError, match='mask.png is not a readable image'):
        ALSettings.from_config(
            demo_cfg(region_mask=str(tmp_path / 'mask.png')))


def test_leaky_or_missing_score_pipeline():
    cfg = demo_cfg()
    cfg.score_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='PackSegInputs')
    ]
    with pytest.raises(ALConfigError, match='LoadAnnotations'):
        check_config(cfg)
    cfg = Config({
        k: v
        for k, v in cfg.to_dict().items() if k != 'score_pipeline'
    })
    with pytest.raises(ALConfigError, match='no score_pipeline'):
        check_config(cfg)
    cfg.score_pipeline = [
        dict(type='LoadClsImage'),
        dict(type='LoadClsLabel'),
        dict(type='PackSegInputs')
    ]
    with pytest.raises(ALConfigError, match='must not contain LoadClsLabel'):
        check_config(cfg)


def test_budget_against_pool():
    with pytest.raises(ALConfigError, match='= 120 exceeds the pool of 100'):
        ALSettings.from_config(demo_cfg(num_cycles=3,
                                        budget=40)).check_pool(100)
    ALSettings.from_config(demo_cfg(num_cycles=3, budget=33)).check_pool(100)


def test_pool_listing_and_data_root(tiny_scenes, tmp_path):
    cfg = demo_cfg()
    point_to(cfg, tiny_scenes)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.data_root == tiny_scenes
    ids = list_pool(cfg)
    assert ids[:2] == ['00000', '00001'] and len(ids) == 60
    point_to(cfg, tmp_path / 'missing')
    with pytest.raises(ALConfigError, match='does not exist'):
        list_pool(cfg)
    (tmp_path / 'empty' / 'img_dir' / 'train').mkdir(parents=True)
    point_to(cfg, tmp_path / 'empty')
    with pytest.raises(ALConfigError, match='holds no images'):
        list_pool(cfg)


def test_label_palette_from_the_dataset(tiny_scenes):
    from pt4al_seg.datasets.fashion_scenes import PALETTE
    from pt4al_seg.engine.pool import _palette
    cfg = demo_cfg()
    point_to(cfg, tiny_scenes)
    pool = load_pool(cfg, 'metainfo')
    assert pool.palette == {c: tuple(rgb) for c, rgb in enumerate(PALETTE)}
    assert load_pool(cfg).palette is None
    assert load_pool(cfg, [(9, 9, 9)]).palette == {0: (9, 9, 9)}

    class Undeclared:  # mmseg makes up colours for it: not a palette
        METAINFO = dict(classes=('a', 'b'))
        metainfo = dict(classes=('a', 'b'), palette=[[1, 2, 3], [4, 5, 6]])

    with pytest.raises(ALConfigError, match='Undeclared declares no palette'):
        _palette('metainfo', {}, Undeclared())
    assert _palette('metainfo', dict(metainfo=dict(palette=[[1, 2, 3]])),
                    Undeclared()) == {
                        0: (1, 2, 3),
                        1: (4, 5, 6)
                    }


def test_pretext_hook_checks_its_order_pretext_model_and_batch_size():
    """The checks that moved from the settings into PretextBatchHook."""
    from types import SimpleNamespace

    from pt4al_seg.engine import PretextBatchHook
    with pytest.raises(
            ALConfigError,
            match="order must be one of descending, "
            "ascending, got 'sideways'"):
        PretextBatchHook(order='sideways')
    cfg = demo_cfg()
    runner = SimpleNamespace(
        cfg=cfg,
        settings=ALSettings.from_config(cfg),
        pool=list(range(300)),
        files=SimpleNamespace(path=lambda *p: '/'.join(('wd', ) + p)))
    PretextBatchHook().check(runner)
    assert runner.pretext_checkpoint == 'wd/pretext/model.pth'
    runner.settings.budget = 101
    with pytest.raises(
            ALConfigError,
            match='al.budget 101 exceeds the '
            r'smallest cycle batch \(300 images / 3 cycles = 100\)'):
        PretextBatchHook().check(runner)
    cfg.pretext.model.type = 'NoSuchPretext'
    with pytest.raises(
            ALConfigError, match="unknown pretext model 'NoSuchPretext'"):
        PretextBatchHook().check(runner)


@pytest.mark.parametrize('key', ['init', 'features'])
def test_pretext_settings_need_the_pretext_stage(tiny_scenes, tmp_path, key):
    from ..conftest import run_al
    proc = run_al(
        tmp_path / 'wd',
        tiny_scenes,
        check=False,
        in_process=True,
        options=[
            'al_hooks=[]', f'al.{key}=pretext', 'al.picker.type=TypiClust'
        ])
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f"train_al.py: error: al.{key}='pretext' needs a pretext stage "
        '(PretextBatchHook in al_hooks)')
    assert not (tmp_path / 'wd').exists()


def test_pretext_features_unused_are_refused():
    from mmengine.config import Config

    from pt4al_seg.engine.settings import ALConfigError, ALSettings
    with pytest.raises(
            ALConfigError,
            match="al.features='pretext' but "
            'neither al.picker nor al.cold_start.picker uses'):
        ALSettings.from_config(
            Config(dict(al=dict(num_cycles=2, budget=5, features='pretext'))))


def test_hook_priority_from_the_config():
    from pt4al_seg.engine.hooks import build_al_hooks
    from pt4al_seg.engine.settings import hook_configs
    hooks = build_al_hooks(
        hook_configs([
            dict(type='PretextBatchHook'),
            dict(type='PretextBatchHook', priority='LOWEST'),
            dict(type='PretextBatchHook', priority=10)
        ]))
    assert [h.priority for h in hooks] == ['VERY_HIGH', 10, 'LOWEST']


def test_hooks_are_named_and_recorded_by_type():
    """A list of hooks is named by each class's name (PT4AL's stage:
    ``pretext``) or type, a dict keeps its names and drops None entries; a
    run records them by type, without those that change no result."""
    from pt4al_seg.engine.settings import hook_configs, hooks_by_type
    from pt4al_seg.engine.state import settings_snapshot
    listed = [
        dict(type='PretextBatchHook', order='ascending'),
        dict(type='EmbeddingHook'),
        dict(type='CommitteeHook', seeds=1),
        dict(type='CommitteeHook', seeds=2)
    ]
    assert list(hook_configs(listed)) == [
        'pretext', 'embedding', 'CommitteeHook', 'CommitteeHook#2'
    ]
    named = dict(pretext=listed[0], plot=listed[1], gone=None)
    assert list(hook_configs(named)) == ['pretext', 'plot']
    assert hooks_by_type(named) == {
        'PretextBatchHook': listed[0],
        'EmbeddingHook': listed[1]
    }
    assert settings_snapshot(dict(al_hooks=named)) == settings_snapshot(
        dict(al_hooks=listed[:1])) == {
            'al_hooks.PretextBatchHook.type': "'PretextBatchHook'",
            'al_hooks.PretextBatchHook.order': "'ascending'"
        }

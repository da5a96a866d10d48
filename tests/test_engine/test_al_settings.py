import pytest
from mmengine.config import Config

from pt4al_seg.engine import ALConfigError, check_settings, list_pool
from pt4al_seg.utils.config import propagate_data_root

from ..conftest import REPO


def demo_cfg(**al):
    cfg = Config.fromfile(f'{REPO}/configs/pt4al_seg/demo.py')
    cfg.al.update(al)
    return cfg


@pytest.mark.parametrize('change,message', [
    (dict(budget=0), 'al.budget must be a positive integer'),
    (dict(budget=None), 'al.budget must be a positive integer'),
    (dict(num_cycles=-1), 'al.num_cycles must be a positive integer'),
    (dict(strategy='magic'), "unknown al.strategy 'magic'"),
    (dict(selector=dict(type='Confusion')), "unknown al.selector 'Confusion'"),
    (dict(init='imagenet'), "unknown al.init 'imagenet'"),
    (dict(order='sideways'), 'al.order'),
])
def test_bad_al_settings(change, message):
    with pytest.raises(ALConfigError, match=message):
        check_settings(demo_cfg(**change))


def test_unknown_pretext_and_leaky_score_pipeline():
    cfg = demo_cfg()
    cfg.pretext.model.type = 'JigsawPretext'
    with pytest.raises(ALConfigError, match="unknown pretext model 'JigsawPretext'"):
        check_settings(cfg)
    cfg = demo_cfg()
    cfg.score_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                          dict(type='PackSegInputs')]
    with pytest.raises(ALConfigError, match='LoadAnnotations'):
        check_settings(cfg)


def test_budget_against_pool():
    with pytest.raises(ALConfigError, match='exceeds the pool of 100'):
        check_settings(demo_cfg(num_cycles=3, budget=40, strategy='pool'), pool_size=100)
    with pytest.raises(ALConfigError, match='exceeds the smallest cycle batch'):
        check_settings(demo_cfg(num_cycles=3, budget=34), pool_size=100)
    check_settings(demo_cfg(num_cycles=3, budget=33), pool_size=100)


def test_pool_listing_and_data_root(tiny_scenes, tmp_path):
    cfg = demo_cfg()
    cfg.data_root = tiny_scenes
    propagate_data_root(cfg)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.data_root == tiny_scenes
    ids = list_pool(cfg)
    assert ids[:2] == ['00000', '00001'] and len(ids) == 60
    cfg.data_root = str(tmp_path / 'missing')
    propagate_data_root(cfg)
    with pytest.raises(ALConfigError, match='does not exist'):
        list_pool(cfg)
    (tmp_path / 'empty' / 'img_dir' / 'train').mkdir(parents=True)
    cfg.data_root = str(tmp_path / 'empty')
    propagate_data_root(cfg)
    with pytest.raises(ALConfigError, match='holds no images'):
        list_pool(cfg)

import importlib

import mmseg.registry as mmseg_registry
import pytest
from mmengine.registry import Registry

import pt4al_seg
from pt4al_seg import registry as own


def _registries(module):
    return [v for v in vars(module).values() if isinstance(v, Registry)]


@pytest.mark.parametrize(
    'reg',
    _registries(own) + _registries(mmseg_registry),
    ids=lambda r: f'{r.scope}.{r.name}')
def test_every_location_imports(reg):
    for location in reg._locations:
        importlib.import_module(location)


@pytest.mark.parametrize('name,reg', [('FashionScenesDataset', 'DATASETS'),
                                      ('SplitLab', 'TRANSFORMS'),
                                      ('PackColorizationInputs', 'TRANSFORMS'),
                                      ('ColorizationPretext', 'MODELS'),
                                      ('RotationPretext', 'MODELS'),
                                      ('PretextLossMetric', 'METRICS'),
                                      ('StrategyOutputsMetric', 'METRICS'),
                                      ('ScoreLoop', 'LOOPS'),
                                      ('ActiveLearningRunner', 'RUNNERS'),
                                      ('FinalModelHook', 'HOOKS'),
                                      ('PhaseProgressHook', 'HOOKS')])
def test_runner_modules_in_mmseg_registries(name, reg):
    assert getattr(mmseg_registry, reg).get(name) is not None


def test_parts_registered():
    assert set(own.QUERIES.module_dict) >= {
        'LeastConfidence', 'Entropy', 'Margin', 'Random', 'PredictedLoss'
    }
    assert set(own.PICKERS.module_dict) >= {
        'TopK', 'ClassBalanced', 'KCenterGreedy', 'EveryNth'
    }
    assert 'PretextBatchHook' in own.AL_HOOKS.module_dict
    assert pt4al_seg.__version__


def test_parts_build_under_mmseg_scope_without_warnings(caplog):
    """Built while mmseg is the default scope (as in every run), with no
    'Failed to search registry' warning: the parts exist in no other scope."""
    import logging

    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    with caplog.at_level(logging.WARNING):
        own.QUERIES.build(dict(type='LeastConfidence'))
        own.PICKERS.build(dict(type='TopK'))
    assert not [r for r in caplog.records if 'registry' in r.getMessage()]

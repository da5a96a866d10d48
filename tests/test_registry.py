import importlib

import mmseg.registry as mmseg_registry
import pytest
from mmengine.registry import Registry

import pt4al_seg
from pt4al_seg import registry as own


def _registries(module):
    return [v for v in vars(module).values() if isinstance(v, Registry)]


@pytest.mark.parametrize('reg', _registries(own) + _registries(mmseg_registry),
                         ids=lambda r: f'{r.scope}.{r.name}')
def test_every_location_imports(reg):
    for location in reg._locations:
        importlib.import_module(location)


@pytest.mark.parametrize('name,reg', [
    ('FashionScenesDataset', 'DATASETS'), ('SplitLab', 'TRANSFORMS'),
    ('PackColorizationInputs', 'TRANSFORMS'), ('ColorizationPretext', 'MODELS'),
    ('RotationPretext', 'MODELS'), ('PretextLossMetric', 'METRICS'),
    ('UncertaintyScoreMetric', 'METRICS'), ('ScoreLoop', 'LOOPS')])
def test_runner_modules_in_mmseg_registries(name, reg):
    assert getattr(mmseg_registry, reg).get(name) is not None


def test_selectors_registered():
    assert set(own.SELECTORS.module_dict) >= {'LeastConfidence', 'Entropy', 'Margin', 'Random'}
    assert pt4al_seg.__version__

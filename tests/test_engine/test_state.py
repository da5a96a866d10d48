import json

import pytest

from pt4al_seg.engine.state import ALState, flatten, settings_snapshot


def test_roundtrip_and_atomic_file(tmp_path):
    path = str(tmp_path / 'al_state.json')
    state = ALState(path)
    state.settings = {'al.budget': '5'}
    state.pool_size = 10
    state.record_cycle(0, num_labelled=5, fraction=0.5)
    state.mark('ranked')
    again = ALState.load(path)
    assert again.state_dict() == state.state_dict()
    assert again.done('ranked') and not again.done('cycle_00.selected')
    assert [p.name for p in tmp_path.iterdir()] == ['al_state.json']  # no temp file left


def test_bad_state_file(tmp_path):
    path = tmp_path / 'al_state.json'
    path.write_text(json.dumps({'version': 99}))
    with pytest.raises(ValueError, match='version'):
        ALState.load(str(path))


def test_settings_diff_names_keys():
    a = settings_snapshot({'al': {'budget': 5, 'num_cycles': 3}, 'work_dir': 'x',
                           'model': {'backbone': {'depth': 18}}})
    b = settings_snapshot({'al': {'budget': 6, 'num_cycles': 3}, 'work_dir': 'y',
                           'model': {'backbone': {'depth': 18}}})
    state = ALState('unused')
    state.settings = a
    assert state.diff_settings(b) == ['al.budget: 5 -> 6']
    assert flatten({'p': [dict(type='A'), dict(type='B')]}) == {'p.0.type': "'A'",
                                                                'p.1.type': "'B'"}

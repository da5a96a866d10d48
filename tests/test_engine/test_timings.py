"""Per-step wall times: what counts as active learning's own work."""
import time

from pt4al_seg.engine.timings import al_share, timed, timings_csv_text


def test_share_counts_everything_but_cycle_training_and_testing():
    seconds = {
        'run.checks': 1.0,
        'pretext.train': 10.0,
        'pretext.score': 2.0,
        'pretext.rank': 0.5,
        'cycle_00.pick': 0.5,
        'cycle_00.train': 20.0,
        'cycle_00.test': 4.0,
        'cycle_01.score': 3.0,
        'cycle_01.pick': 1.0,
        'cycle_01.train': 30.0,
        'cycle_01.test': 4.0
    }
    assert al_share(seconds) == (18.0, 76.0)
    # in the order of the run, whatever the order of the keys
    assert timings_csv_text({
        'cycle_10.pick': 0.25,
        'cycle_02.test': 3.0,
        'pretext.train': 1.5,
        'cycle_02.pick': 0.5,
        'pretext.rank': 0.125
    }) == ('phase,step,seconds\npretext,train,1.5\npretext,rank,0.125\n'
           'cycle_02,pick,0.5\ncycle_02,test,3.0\ncycle_10,pick,0.25\n')


def test_timed_records_the_block():
    seconds = {}
    with timed(seconds, 'cycle_00.pick'):
        time.sleep(0.05)
    assert list(seconds) == ['cycle_00.pick']
    assert seconds['cycle_00.pick'] >= 0.05  # rounded to ms

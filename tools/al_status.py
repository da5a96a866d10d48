"""Where an active-learning run stands: phase, cycles done, labelled count, the
metric per finished cycle and the next action.

    python tools/al_status.py work_dirs/demo
    python tools/al_status.py work_dirs/demo --json
"""
import argparse
import json

from pt4al_seg.engine.status import format_status, run_status
from pt4al_seg.utils.errors import UserError, run_tool


def main():
    parser = argparse.ArgumentParser(
        description='Show where an active-learning run stands')
    parser.add_argument('work_dir', help='the run\'s work dir')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an expected error (bad input)')
    args = parser.parse_args()
    try:
        status = run_status(args.work_dir)
    except ValueError as e:  # an al_state.json it cannot read
        raise UserError(str(e)) from e
    print(json.dumps(status, indent=2) if args.json else format_status(status))


if __name__ == '__main__':
    run_tool(main, 'al_status.py')

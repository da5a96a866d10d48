"""Where an active-learning run stands: phase, cycles done, labelled count, the
metric per finished cycle and the next action.

    python tools/al_status.py work_dirs/demo
    python tools/al_status.py work_dirs/demo --json
"""
import argparse
import json
import sys

from pt4al_seg.engine.status import format_status, run_status


def main():
    parser = argparse.ArgumentParser(
        description='Show where an active-learning run stands')
    parser.add_argument('work_dir', help='the run\'s work dir')
    parser.add_argument('--json', action='store_true', help='print JSON')
    args = parser.parse_args()
    try:
        status = run_status(args.work_dir)
    except ValueError as e:
        sys.exit(f'al_status.py: error: {e}')
    print(json.dumps(status, indent=2) if args.json else format_status(status))


if __name__ == '__main__':
    main()

"""Per-cycle results: ``summary.csv``, ``summary.png`` and a printed table."""
import csv
import io
import os
import os.path as osp
from typing import Dict, List, Optional

from mmengine.dist import master_only
from mmengine.logging import print_log
from prettytable import PrettyTable

from ..evaluation import constant_prediction_miou
from ..utils import atomic_write
from .timings import share_line, write_timings


def summary_rows(cycles: Dict[str, dict], metric: str) -> List[dict]:
    """One row per finished cycle,
    ``cycle,num_labelled,fraction,<metric>,<other metrics>``."""
    rows = []
    for key in sorted(cycles, key=int):
        rec = cycles[key]
        if 'metrics' not in rec:
            continue
        row = dict(
            cycle=int(key),
            num_labelled=rec['num_labelled'],
            fraction=round(rec['fraction'], 4))
        metrics = rec['metrics']
        row[metric] = metrics.get(metric, '')
        row.update({k: v for k, v in metrics.items() if k != metric})
        rows.append(row)
    return rows


def summary_csv_text(rows: List[dict], metric: str) -> str:
    columns = ['cycle', 'num_labelled', 'fraction', metric]
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, lineterminator='\n', restval='')
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def plot_summary(path: str,
                 rows: List[dict],
                 metric: str,
                 title: str = '',
                 references: Optional[Dict[str, float]] = None,
                 label: str = 'active learning') -> None:
    """Metric against labelled fraction, with horizontal reference lines."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 4))
    pts = [(r['fraction'] * 100, float(r[metric])) for r in rows
           if r[metric] != '']
    if pts:
        ax.plot(*zip(*pts), marker='o', label=label)
    for i, (name, value) in enumerate((references or {}).items()):
        ax.axhline(
            value,
            linestyle='--',
            color=f'C{i + 1}',
            label=f'{name} ({value:.2f})')
    ax.set_xlabel('labelled images (% of the pool)')
    ax.set_ylabel(metric)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    tmp = f'{path}.tmp{os.getpid()}.png'
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)


def format_table(rows: List[dict], metric: str) -> str:
    table = PrettyTable(['cycle', 'labelled', 'fraction', metric])
    for r in rows:
        table.add_row(
            [r['cycle'], r['num_labelled'], f'{r["fraction"]:.4f}', r[metric]])
    return table.get_string()


def write_report(work_dir: str,
                 cycles: Dict[str, dict],
                 metric: str,
                 references: Optional[Dict[str, float]] = None,
                 label: str = 'active learning') -> List[dict]:
    """Write ``summary.csv`` and ``summary.png`` in ``work_dir`` unless they
    are up to date already (a resumed run leaves finished files alone); return
    the rows."""
    rows = summary_rows(cycles, metric)
    csv_path, png_path = osp.join(work_dir, 'summary.csv'), osp.join(
        work_dir, 'summary.png')
    text = summary_csv_text(rows, metric)
    if osp.isfile(csv_path) and osp.isfile(png_path) and open(
            csv_path).read() == text:
        return rows
    plot_summary(png_path, rows, metric, osp.basename(osp.abspath(work_dir)),
                 references, label)
    atomic_write(csv_path,
                 text)  # last: a csv that matches means the png is current
    return rows


class RunReport:
    """A run's per-cycle report: ``summary.csv``/``summary.png`` after every
    cycle, and at the end the table and, for mIoU, the floor of predicting
    background everywhere.

    Args:
        work_dir (str): The run's work dir.
        metric (str): The summary metric.
        references (dict, optional): Reference lines for the plot.
        label (str): The curve's legend. Defaults to 'active learning'.
    """

    def __init__(self,
                 work_dir: str,
                 metric: str,
                 references: Optional[dict] = None,
                 label: str = 'active learning'):
        self.work_dir, self.metric = work_dir, metric
        self.references, self.label = references, label

    def start(self, state, cfg, evaluated: bool, palette=None) -> None:
        """Measure the background-everywhere floor once per run (recorded in
        the state); ``palette`` reads colour-coded label maps."""
        if self.metric == 'mIoU' and evaluated \
                and 'background_mIoU' not in state.extras:
            state.extras['background_mIoU'] = constant_prediction_miou(
                cfg.test_dataloader.dataset.to_dict(),
                scope=cfg.get('default_scope', 'mmseg'),
                palette=palette)
            state.save()

    @master_only
    def update(self, state) -> None:
        write_report(self.work_dir, state.cycles, self.metric, self.references,
                     self.label)
        write_timings(self.work_dir, state.seconds)

    @master_only
    def finish(self, state, logger) -> None:
        write_timings(self.work_dir, state.seconds)  # after_run's steps too
        rows = summary_rows(state.cycles, self.metric)
        print_log('\n' + format_table(rows, self.metric), logger=logger)
        floor = state.extras.get('background_mIoU')
        if floor is not None and rows and rows[-1][self.metric] != '':
            last = float(rows[-1][self.metric])
            print_log(
                f'last cycle mIoU {last:.2f} vs {floor:.2f} for predicting '
                'background '
                f'everywhere ({last / max(floor, 1e-9):.1f}x)',
                logger=logger)
        print_log(
            f'results in {self.work_dir}: summary.csv, summary.png',
            logger=logger)
        print_log(share_line(state.seconds), logger=logger)

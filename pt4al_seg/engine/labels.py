"""Where a run's labels come from: one interface, a source per ``al.mode``.

* :class:`SimulatedLabels` (``'simulate'``, the paper's protocol): every label
  map is on disk already; a selection is labelled as soon as it is made.
* :class:`AnnotatedLabels` (``'annotate'``): a selection is a request
  (``to_label.txt``, a contact sheet, an optional export); the run stops until
  every label map exists.
"""
import os.path as osp
from typing import Dict, List, Optional

from mmengine.dist import master_only

from ..utils.errors import ALConfigError
from .annotation import AwaitingLabels, missing_label_maps, write_request
from .pool import Pool


class SimulatedLabels:
    """Labels already on disk (the paper's simulation).

    Args:
        pool (Pool): The run's training images.
    """

    #: whether every label map is on disk from the start
    on_disk = True

    def __init__(self, pool: Pool, **kwargs):
        self.pool = pool

    def check_pool(self) -> None:
        """Before a new run: every image has its label map and every label map
        its image; every label map the run may read is checked (size, values)
        before any training."""
        self.pool.check_label_files()
        self.pool.check_label_maps(self.pool.ids, progress=True)

    def test_split_labelled(self, cfg) -> bool:
        return True

    def request(self, cycle: int, ids: List[str],
                cycle_dir: str) -> Dict[str, dict]:
        """The selection's label maps are checked before anything of the cycle
        is recorded; returns what the state records for the cycle (nothing)."""
        self.pool.check_label_maps(ids)
        return {}

    def receive(self, cycle: int, ids: List[str], cycle_dir: str, record: dict,
                just_selected: bool) -> None:
        """Labels on disk are there at once."""


class AnnotatedLabels(SimulatedLabels):
    """Labels requested after each selection and awaited (a real annotation
    loop).

    Args:
        pool (Pool): The run's training images (label maps need not exist).
        export_dir (str, optional): Copy the images to label into this folder.
            Defaults to None.
    """

    on_disk = False

    def __init__(self, pool: Pool, export_dir: Optional[str] = None):
        super().__init__(pool)
        self.export_dir = export_dir

    def check_pool(self) -> None:
        if not self.pool.has_label_maps:
            raise ALConfigError(
                "al.mode='annotate' needs a segmentation dataset whose label "
                'maps are files (seg_map_path)')

    def test_split_labelled(self, cfg) -> bool:
        from .pool import test_split_labelled
        return test_split_labelled(cfg)

    def request(self, cycle, ids, cycle_dir):
        self._write_request(cycle_dir,
                            {i: self.pool.infos[i]['img_path']
                             for i in ids})
        return dict(
            label_maps={i: self.pool.infos[i]['seg_map_path']
                        for i in ids})

    @master_only
    def _write_request(self, cycle_dir: str, image_paths: Dict[str,
                                                               str]) -> None:
        write_request(cycle_dir, image_paths, self.export_dir)

    def receive(self, cycle, ids, cycle_dir, record, just_selected):
        """Raises :class:`AwaitingLabels` (a clean stop) right after the
        selection, and a one-line error naming the missing label maps on a
        later ``--resume``."""
        label_maps = record['label_maps']
        missing = missing_label_maps(label_maps)
        request = osp.join(cycle_dir, 'to_label.txt')
        if missing and just_selected:
            raise AwaitingLabels(cycle, request, label_maps)
        if missing:
            raise ALConfigError(
                f'{len(missing)} of the {len(label_maps)} images in {request} '
                'have no label '
                f'map yet: ' + ', '.join(label_maps[i] for i in missing[:5]) +
                (f' and {len(missing) - 5} more' if len(missing) > 5 else ''))
        self.pool.check_label_maps(ids)


LABEL_SOURCES = dict(simulate=SimulatedLabels, annotate=AnnotatedLabels)

"""Image ids: an image's mmseg ``ann_file`` line (its path under ``img_path``
without the suffix); classification samples carry their own ``img_id``."""
import os.path as osp


def image_id(img_path: str, img_dir: str, img_suffix: str) -> str:
    """An image's id: its path relative to ``img_dir`` without ``img_suffix``
    (the mmseg ``ann_file`` line that names it)."""
    rel = osp.relpath(img_path, img_dir)
    if not rel.endswith(img_suffix):
        raise ValueError(
            f'{img_path} does not end in img_suffix {img_suffix!r}')
    return rel[:len(rel) - len(img_suffix)]


def sample_id(sample, img_dir: str, img_suffix: str) -> str:
    """The id of a data sample (``img_id`` if it has one, else from its
    ``img_path``)."""
    return sample.get('img_id') or image_id(sample['img_path'], img_dir,
                                            img_suffix)

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .fashion_synth import CLASSES, PALETTE


@DATASETS.register_module()
class FashionScenesDataset(BaseSegDataset):
    """FashionScenes: tinted Fashion-MNIST items composed on textured canvases.

    Built offline by ``tools/build_fashion_data.py``; labels come from
    composing the items, not from human annotation. 0 is background, 1-10 the
    Fashion-MNIST classes; both image and label map are ``.png``.
    """
    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)

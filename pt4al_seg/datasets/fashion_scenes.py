from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

CLASSES = ('background', 't-shirt/top', 'trouser', 'pullover', 'dress', 'coat',
           'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')
PALETTE = [[0, 0, 0], [220, 20, 60], [30, 80, 200], [255, 140, 0],
           [200, 30, 170], [140, 70, 20], [240, 220, 0], [250, 90, 90],
           [40, 170, 60], [120, 40, 200], [0, 170, 190]]


@DATASETS.register_module()
class FashionScenesDataset(BaseSegDataset):
    """FashionScenes: tinted Fashion-MNIST items composed on textured canvases.

    Built offline by ``tools/dataset_converters/fashion_scenes.py``; labels
    come from composing the items, not from human annotation. 0 is
    background, 1-10 the Fashion-MNIST classes; both image and label map are
    ``.png``.
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

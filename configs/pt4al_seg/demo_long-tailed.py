# The demo on the long-tailed FashionScenes 64x64 (make data-lt): item classes
# in the training pool fall from the commonest to the rarest by a factor of 10;
# validation stays balanced, so mIoU weighs the rare classes as much as the
# common ones.
_base_ = './demo.py'
data_root = 'data/fashion_scenes_64_lt'

# The classification demo with the jigsaw pretext instead of rotation: 32x32
# images as 3x3 cells of 11 pixels, 9-pixel tiles.
_base_ = ['./demo.py']
pretext = dict(model=dict(type='JigsawPretext', cell=11, jitter=2))

# The demo with the jigsaw pretext (the pretext-choice ablation): the rotation
# variant's RGB pipelines, a jigsaw model with its defaults (3x3 cells of 21
# pixels for 64x64 images, 18-pixel tiles, 100 permutations).
_base_ = ['./pt4al-rotation_deeplabv3_r18-d8_fashion-scenes-64x64.py']
pretext = dict(model=dict(type='JigsawPretext'))

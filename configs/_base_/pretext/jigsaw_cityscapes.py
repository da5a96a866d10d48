# Jigsaw pretext at Cityscapes scale: each image resized to 3x3 cells of 85
# pixels and 64-pixel tiles cut from them (the paper's 225/75/64 at a
# slightly larger square); images scored at half resolution as the rotation
# pretext there.
_base_ = ['./rotation_cityscapes.py']
pretext = dict(
    model=dict(
        type='JigsawPretext',
        num_permutations=100,
        grid=3,
        cell=85,
        jitter=21,
        score_perms=4))

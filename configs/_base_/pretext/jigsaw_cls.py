# Jigsaw pretext for the classification family: 32x32 images resized to 3x3
# cells of 11 pixels, 9-pixel tiles; the rest as the rotation pretext there.
_base_ = ['./rotation_cls.py']
pretext = dict(
    model=dict(
        type='JigsawPretext',
        num_permutations=100,
        grid=3,
        cell=11,
        jitter=2,
        score_perms=4))

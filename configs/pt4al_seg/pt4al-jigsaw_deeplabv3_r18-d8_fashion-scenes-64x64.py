# The demo with the jigsaw pretext (the pretext-choice ablation): the rotation
# variant's RGB pipelines, a jigsaw model on 3x3 cells of 21 pixels.
_base_ = ['./pt4al-rotation_deeplabv3_r18-d8_fashion-scenes-64x64.py']
pretext = dict(
    model=dict(
        type='JigsawPretext',
        num_permutations=100,
        grid=3,
        cell=21,
        jitter=3,
        score_perms=4))

# Jigsaw pretext (Noroozi & Favaro, 2016): each image resized to 3x3 cells of
# 21 pixels (64x64 images), an 18-pixel tile cut from each, shuffled by one of
# 100 permutations far apart in Hamming distance; the model predicts which. An
# image's loss is the mean cross-entropy over 4 fixed permutations. The
# backbone (shared by the nine tiles) is the task model's unless set here.
_base_ = ['./rotation.py']
pretext = dict(
    model=dict(
        type='JigsawPretext',
        num_permutations=100,
        grid=3,
        cell=21,
        jitter=3,
        score_perms=4))

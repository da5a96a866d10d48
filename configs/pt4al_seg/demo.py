# The embedded demo (make demo): PT4AL with the colorization pretext on
# FashionScenes 64x64 (1,000 training images): the full-supervision config's
# DeepLabV3-R18-D8, trained 300 iterations per cycle, 3 cycles of 100 images,
# on CPU.
_base_ = [
    '../fullsup/deeplabv3_r18-d8_1k_fashion-scenes-64x64.py',
    '../_base_/pretext/colorization.py', '../_base_/al/strategies/pt4al.py'
]
train_cfg = dict(max_iters=300)
pretext = dict(train_cfg=dict(max_iters=200))
al = dict(num_cycles=3, budget=100, score_batch_size=16)
# PT4AL's figure per cycle (cycle_XX/embedding.png) and its hypothesis H1
# (pretext/h1.json), for runs with a pretext stage
al_hooks = dict(embedding=dict(type='EmbeddingHook'), h1=dict(type='H1Hook'))

# SimSiam pretext (Chen & He, 2021): two augmented views of each image
# (random resized crop, flip, brightness/contrast, grayscale; made on the
# batch at 64x64), projector + predictor, stop-gradient; an image's loss is
# the symmetric negative cosine averaged over 4 fixed view pairs. The backbone
# is the task model's unless set here.
_base_ = ['./rotation.py']
pretext = dict(
    model=dict(
        type='SimSiamPretext', size=64, dim=512, pred_dim=128, score_pairs=4))

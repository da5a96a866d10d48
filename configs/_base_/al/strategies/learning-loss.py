# Learning Loss (Yoo & Kweon, CVPR 2019): a loss-prediction module on the
# backbone's stages, trained with the paper's ranking loss; its gradient into
# the backbone stops after 60 % of each cycle's training (epoch 120 of 200 in
# the paper); the images with the highest predicted loss are picked.
_base_ = ['./pool.py']
al = dict(
    query=dict(type='PredictedLoss'),
    model=dict(
        type='LossPredictionEncoderDecoder',
        loss_prediction=dict(stop_grad=0.6)))

# The PT4AL CIFAR recipe: SGD lr 0.1, momentum 0.9, weight decay 5e-4, 200
# epochs, lr x0.1 at epoch 160.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[160], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

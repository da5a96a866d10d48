# The paper's imbalanced CIFAR-10: 500, 1,000, ..., 5,000 training images per
# class (27,500 in all): 10 batches of 2,750, 1,000 labelled per cycle...
# budget kept at 1,000.
_base_ = ['./pt4al-rotation_resnet18-cifar_b128-200e_cifar10.py']
train_dataloader = dict(
    dataset=dict(class_counts=[
        500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000
    ]))

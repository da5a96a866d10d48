# CIFAR-10, python version (cifar-10-batches-py), from a local folder:
# --cfg-options data_root=/path/to/cifar-10-batches-py (or the folder holding
# it)
_base_ = ['./fashion_cls.py']
dataset_type = 'CIFAR10Dataset'
data_root = 'data/cifar10'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader

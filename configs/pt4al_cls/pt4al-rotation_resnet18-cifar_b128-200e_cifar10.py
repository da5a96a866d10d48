# PT4AL on CIFAR-10, the paper's setting: rotation pretext; 10 cycles, 10
# batches of 5,000, 1,000 labelled per cycle; ResNet-18 (CIFAR form)
# re-initialised each cycle, SGD lr 0.1, 200 epochs, lr x0.1 at 160, batch 128,
# random crop 32 (padding 4) + horizontal flip. Data: --cfg-options
# data_root=/path/to/cifar-10-batches-py
_base_ = [
    '../_base_/models/resnet18_cifar.py', '../_base_/datasets/cifar10.py',
    '../_base_/cls_runtime.py', '../_base_/schedules/cls_200e.py',
    '../_base_/pretext/rotation_cls.py', '../_base_/al/strategies/pt4al.py'
]
al = dict(num_cycles=10, budget=1000, metric='accuracy', score_batch_size=256)

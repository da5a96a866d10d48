# The demo with the tests' fault-injection hook (tests/fault_hook.py) added to
# its hooks.
_base_ = ['../../configs/pt4al_seg/demo.py']
custom_imports = dict(
    imports=['pt4al_seg', 'tests.fault_hook'], allow_failed_imports=False)
al_hooks = dict(faults=dict(type='FaultInjectionHook'))

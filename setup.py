from setuptools import find_packages, setup

setup(
    name='pt4al_seg',
    version='0.1.0',
    description='PT4AL active learning for semantic segmentation on OpenMMLab',
    packages=find_packages(include=['pt4al_seg', 'pt4al_seg.*']),
    python_requires='>=3.10',
    # configs/ ships as pt4al_seg/.mim/configs (a link in the checkout), as
    # mmseg ships its own: configs anywhere inherit `pt4al_seg::_base_/...`.
    package_data={
        'pt4al_seg': ['.mim/model-index.yml', '.mim/configs/**/*.py']
    },
    # Pinned environment: requirements/*.txt, installed by tools/setup_env.sh
    # (mmcv must be compiled against the installed torch, which pip cannot
    # express).
    install_requires=[],
)

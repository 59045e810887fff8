"""The entry point: :func:`install_compat` puts every part in the running kernel.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import sys

from .colab import _install_colab, _install_shell
from .events import _Recorder
from .finder import LAZY_MODULES, _CompatFinder, _LazyModules, after_import, pause_collector_for_frameworks
from .keras2_arguments import (_install_compile, _install_experimental_layers, _install_layer_shapes,
                               _install_legacy_optimizers, _install_pooling_defaults, _install_saving,
                               _install_tf_activations, _install_training_arguments)
from .keras2_names import _install_keras2_modules, _install_legacy_image, _install_model_methods, _install_optimizers
from .torch_setup import _install_torch_setup
from .vision import _install_torchvision

def install_compat(keras2, cifar10=None, seed=None, threads=1, fashion_mnist=None):
    """Install the compatibility layer in the running IPython shell; return the events list.

    Keras is not imported here: its Keras 2 patches are installed if and when the notebook
    imports it (a notebook without Keras never loads TensorFlow). ``cifar10``: the
    ``cifar-10-batches-py`` folder ``torchvision.datasets.CIFAR10`` reads (None: it raises
    that the instructor gave none). ``seed``: torch is seeded, deterministic and given
    ``threads`` threads when imported (None: left alone). ``fashion_mnist``: the folder of the
    four Fashion-MNIST files ``torchvision.datasets.FashionMNIST`` reads (None: it raises).
    TensorFlow, Keras and PyTorch are imported with the garbage collector paused (see
    :data:`~.finder.FRAMEWORKS`).
    """
    pause_collector_for_frameworks()
    record = _Recorder()
    finder = _CompatFinder()
    _install_colab(finder, record)
    _install_torchvision(record, cifar10, fashion_mnist)
    if seed is not None:
        _install_torch_setup(seed, threads)
    if keras2:
        _install_keras2_modules(finder, record)
    sys.meta_path.insert(0, finder)
    sys.meta_path.insert(1, _LazyModules(LAZY_MODULES))
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        _install_shell(shell, record)
    if keras2:
        def patch_keras():
            _install_legacy_image(record)
            _install_optimizers(record)
            _install_model_methods(record)
            _install_pooling_defaults(record)
            _install_compile(record)
            _install_saving(record)
            _install_tf_activations(record)
            _install_training_arguments(record)
            _install_legacy_optimizers(record)
            _install_layer_shapes(record)
            _install_experimental_layers(record)

        after_import("keras", patch_keras)
    return record.events

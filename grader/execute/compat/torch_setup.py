"""PyTorch made repeatable on the CPU, when (and if) the notebook imports it.

Seeds ``torch`` (its CPU generator) with the run's seed, asks for deterministic
algorithms (``warn_only``: an operation without a deterministic version warns instead of
failing the student's cell) and sets the kernel's thread count, so parallel kernels do not
oversubscribe the cores and the same notebook gives the same numbers twice. ``random``
and NumPy are seeded by the harness, TensorFlow by Keras.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import sys

from .finder import _AfterImport


# ------------------------------------------------------------------- torch
def _settle_torch(seed, threads):
    """Seed torch, deterministic algorithms, ``threads`` intra-op threads; never fails the import."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    for step in (lambda: torch.manual_seed(int(seed)),
                 lambda: torch.use_deterministic_algorithms(True, warn_only=True),
                 lambda: torch.set_num_threads(max(1, int(threads))),
                 lambda: torch.set_num_interop_threads(max(1, int(threads)))):
        try:
            step()
        except Exception:  # noqa: BLE001 - a torch without one of these still imports
            pass


def _install_torch_setup(seed, threads):
    """:func:`_settle_torch` now if torch is imported, else right after the notebook first imports it."""
    if "torch" in sys.modules:
        _settle_torch(seed, threads)
    else:
        sys.meta_path.insert(0, _AfterImport("torch", lambda: _settle_torch(seed, threads)))

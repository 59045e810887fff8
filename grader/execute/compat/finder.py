"""An import finder that serves stand-in modules by full name, and runs code after a module's first import.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import importlib
import importlib.abc
import importlib.machinery

# -------------------------------------------------------------------- import finder
class _Loader(importlib.abc.Loader):
    def __init__(self, build, on_import):
        self._build = build
        self._on_import = on_import

    def create_module(self, spec):
        module = self._build(spec.name)
        return module

    def exec_module(self, module):
        if self._on_import:
            self._on_import(module.__name__)


class _CompatFinder(importlib.abc.MetaPathFinder):
    """Serves stand-in modules by full name (Colab's, Keras 2's removed ones)."""

    def __init__(self):
        self.modules = {}  # full name -> (build(name) -> module, is_package, on_import, condition)

    def add(self, name, build, is_package=False, on_import=None, condition=None):
        self.modules[name] = (build, is_package, on_import, condition)

    def find_spec(self, fullname, path=None, target=None):
        entry = self.modules.get(fullname)
        if entry is None:
            return None
        build, is_package, on_import, condition = entry
        if condition is not None and not condition(fullname, path):
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(build, on_import), is_package=is_package)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``callback`` once, right after the module ``name`` is first imported."""

    def __init__(self, name, callback):
        self.name, self.callback, self.done = name, callback, False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name or self.done:
            return None
        self.done = True  # the real finders below answer, once
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        original, callback = spec.loader, self.callback

        class _Then(importlib.abc.Loader):
            def create_module(self, spec):
                return original.create_module(spec)

            def exec_module(self, module):
                original.exec_module(module)
                callback()

        spec.loader = _Then()
        return spec

"""The Google Colab stand-in (``google.colab.drive``, ``files``, ``output``, ``patches``) and the magics.

``!pip``/``%pip`` and the other package managers are answered by :mod:`.packages`;
``%tensorflow_version`` is accepted and ignored.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import os
import sys
import types

from .events import say
from .packages import _PackageManagers
from .shell import parse_command, parse_shell

# ------------------------------------------------------------------------- Colab
UPLOAD_ERROR = say("kernel.colab.upload_error")  # what files.upload() raises


class _Context:
    """What Colab's output context helpers return: a context manager that does nothing."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _nothing(*args, **kwargs):
    return None


def _context(*args, **kwargs):
    return _Context()


OUTPUT_CONTEXTS = ("redirect_to_element", "use_tags", "temporary", "to_default_area", "to_header_area",
                   "to_footer_area")
OUTPUT_FUNCTIONS = ("clear", "enable_custom_widget_manager", "disable_custom_widget_manager", "eval_js",
                    "register_callback", "serve_kernel_port_as_iframe", "serve_kernel_port_as_window",
                    "no_vertical_scroll", "pin_output")


def _real_colab_exists(finder):
    def condition(fullname, path):
        if fullname != "google.colab":
            module = sys.modules.get("google.colab")
            return module is not None and getattr(module, "__grader_stand_in__", False)
        for other in list(sys.meta_path):
            if other is finder or not hasattr(other, "find_spec"):
                continue
            try:
                if other.find_spec(fullname, path, None) is not None:
                    return False
            except (ImportError, ValueError, AttributeError, TypeError):
                continue
        return True
    return condition


def _colab_modules(record):
    """Builders of the ``google.colab`` stand-in modules, by full name."""

    def package(name):
        module = types.ModuleType(name, "Stand-in for google.colab in the grading environment.")
        module.__grader_stand_in__ = True
        return module

    def drive(name):
        module = package(name)

        def mount(mountpoint="/content/drive", force_remount=False, timeout_ms=120000, readonly=False):
            record("colab_drive_mount", str(mountpoint), "", say("kernel.colab.drive_detail"))
            print(say("kernel.colab.drive_note", path=str(mountpoint)))

        def flush_and_unmount(*args, **kwargs):
            return None

        module.mount = mount
        module.flush_and_unmount = flush_and_unmount
        return module

    def files(name):
        module = package(name)

        def upload(*args, **kwargs):
            record("colab_files", "files.upload", "", say("kernel.colab.upload_detail"))
            raise RuntimeError(UPLOAD_ERROR)

        def download(filename, *args, **kwargs):
            # Colab's own check; otherwise the file only goes to a browser: nothing the notebook needs
            if not os.path.exists(filename):
                raise FileNotFoundError(f"Cannot find file: {filename}")
            record("colab_files", "files.download", "", say("kernel.colab.download_detail"))
            print(say("kernel.colab.download_note", path=str(filename)))

        def view(*args, **kwargs):
            return None

        module.upload, module.download, module.view = upload, download, view
        return module

    def output(name):
        module = package(name)
        for helper in OUTPUT_FUNCTIONS:
            setattr(module, helper, _nothing)
        for helper in OUTPUT_CONTEXTS:
            setattr(module, helper, _context)
        module.__getattr__ = lambda attribute: _nothing if not attribute.startswith("__") else _no_attribute(attribute)
        return module

    def patches(name):
        module = package(name)

        def cv2_imshow(image):
            """Show a BGR(A) image with matplotlib, as Colab's patch does with OpenCV."""
            try:
                import numpy as np
                import matplotlib.pyplot as plt

                array = np.asarray(image)
                if array.ndim == 3 and array.shape[2] in (3, 4):
                    array = array[..., [2, 1, 0] + ([3] if array.shape[2] == 4 else [])]
                plt.figure()
                plt.imshow(array, cmap="gray" if array.ndim == 2 else None)
                plt.axis("off")
                plt.show()
            except Exception:  # showing an image is never worth failing the student's cell
                return None

        module.cv2_imshow = cv2_imshow
        return module

    return {"google.colab": (package, True), "google.colab.drive": (drive, False),
            "google.colab.files": (files, False), "google.colab.output": (output, False),
            "google.colab.patches": (patches, False)}


def _no_attribute(name):
    raise AttributeError(name)


def _install_colab(finder, record):
    condition = _real_colab_exists(finder)

    def on_import(name):
        record("colab_import", name, "", say("kernel.colab.import_detail"))

    for name, (build, is_package) in _colab_modules(record).items():
        finder.add(name, build, is_package, on_import, condition)


# -------------------------------------------------------------------- magics and shell
def _install_shell(shell, record):
    managers = _PackageManagers(record)

    def identity(cmd, depth=0, formatter=None):
        return cmd

    def passthrough(original, expanded, *args, **kwargs):
        """Run a command as IPython would, with the variables already expanded by us."""
        had = "var_expand" in shell.__dict__
        previous = shell.__dict__.get("var_expand")
        shell.var_expand = identity
        try:
            return original(expanded, *args, **kwargs)
        finally:
            if had:
                shell.var_expand = previous
            else:
                shell.__dict__.pop("var_expand", None)

    def intercept(expanded):
        """The student-facing lines, or None when the command is not a package manager's."""
        try:
            actions, rest = parse_shell(expanded)
        except Exception:  # never let the parser break a shell command
            return None, [expanded]
        if not actions:
            return None, [expanded]
        return managers.answer(actions), rest

    def wrap_system(original):
        def system(cmd):
            expanded = shell.var_expand(cmd, depth=1)
            lines, rest = intercept(expanded)
            if lines is None:
                return passthrough(original, expanded)
            print("\n".join(lines))
            shell.user_ns["_exit_code"] = 0
            if rest:
                return passthrough(original, " ; ".join(rest))
            return None
        system.__doc__ = getattr(original, "__doc__", None)
        return system

    def wrap_getoutput(original):
        def getoutput(cmd, split=True, depth=0):
            expanded = shell.var_expand(cmd, depth=depth + 1)
            lines, rest = intercept(expanded)
            if lines is None:
                return passthrough(original, expanded, split=split, depth=depth)
            shell.user_ns["_exit_code"] = 0
            if rest:
                more = passthrough(original, " ; ".join(rest), split=True, depth=depth)
                lines = lines + list(more or [])
            from IPython.utils.text import LSString, SList

            return SList(lines) if split else LSString("\n".join(lines))
        getoutput.__doc__ = getattr(original, "__doc__", None)
        return getoutput

    shell.system_piped = wrap_system(shell.system_piped)
    shell.system_raw = wrap_system(shell.system_raw)
    shell.system = wrap_system(type(shell).system.__get__(shell))
    shell.getoutput = wrap_getoutput(shell.getoutput)

    def magic_for(tool):
        def magic(line=""):
            command = f"{tool} {line}".strip()
            action = parse_command(command)
            if action is None:
                print(say("kernel.magic.not_run", command=command))
                return None
            print("\n".join(managers.handle(action)))
            return None
        magic.__doc__ = f"grader: %{tool} is answered without running {tool} (see grader/execute/compat/)."
        return magic

    for tool in ("pip", "conda", "mamba", "micromamba", "uv"):  # IPython's packaging magics
        shell.register_magic_function(magic_for(tool), magic_kind="line", magic_name=tool)

    def tensorflow_version(line=""):
        record("magic", f"%tensorflow_version {line}".strip(), "", say("kernel.magic.ignored"))

    shell.register_magic_function(tensorflow_version, magic_kind="line", magic_name="tensorflow_version")

"""A compatibility layer installed in the student's kernel before any student code.

Real hand-ins are written for Google Colab or for Keras 2 and fail here for reasons that
are not the student's: ``from google.colab import drive``, ``!pip install ...``,
``%tensorflow_version 2.x``, ``from keras.utils import np_utils``, ``Adam(lr=0.01)``,
``model.fit_generator(...)``. This module makes those run (or fail with a plain pt-BR
message) and records every use as an *event*, a dict
``{"kind": str, "name": str, "modern": str, "detail": str}`` appended to the list that
:func:`install_compat` returns; the harness of ``kernel_side.py`` exports new events at
every harvest, so the grader can report them.

Nothing here judges anything, and pip or apt are never run: in degraded isolation they
would modify the grader's own environment.

Like ``kernel_side.py``, this module must not import anything from ``grader``: its source
is executed with ``exec`` inside the kernel. The parsing functions are pure (no IPython,
no kernel) so they can be unit-tested directly.
"""

import importlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import types

MAX_EVENTS = 200
EVENT_KINDS = ("colab_import", "colab_drive_mount", "colab_files", "pip_present", "pip_missing",
               "apt", "magic", "keras2")


# ---------------------------------------------------------------------------------- events
class _Recorder:
    """Appends deduplicated events to a plain list, at most MAX_EVENTS of them."""

    def __init__(self):
        self.events = []
        self._seen = set()

    def __call__(self, kind, name, modern="", detail=""):
        event = {"kind": str(kind), "name": str(name)[:300], "modern": str(modern)[:300],
                 "detail": str(detail)[:500]}
        key = (event["kind"], event["name"], event["modern"], event["detail"])
        if key in self._seen or len(self.events) >= MAX_EVENTS:
            return
        self._seen.add(key)
        self.events.append(event)


# --------------------------------------------------------------------- parsing (pure)
def normalize_name(name):
    """A distribution name normalized as PEP 503 says (``Scikit_Learn`` -> ``scikit-learn``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


_NAME = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$", re.S)
_SPECIFIER_START = ("==", ">=", "<=", "~=", "!=", ">", "<", "=", "(")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".egg")


def requirement_name(spec):
    """The distribution name a requirement names, or None for a URL, path or file.

    ``numpy==1.26`` -> ``numpy``; ``keras[tf]>=2`` -> ``keras``; ``pkg @ https://...`` ->
    ``pkg``; ``git+https://...#egg=pkg`` -> ``pkg``; ``./lib``, ``x.whl`` -> None.
    """
    spec = spec.strip()
    if not spec:
        return None
    if "://" in spec or re.match(r"^(git|hg|svn|bzr)\+", spec):
        egg = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if egg and not re.match(r"^[A-Za-z0-9._-]+\s*@", spec):
            return egg.group(1)
        at = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*@", spec)
        return at.group(1) if at else None
    spec = spec.split(";", 1)[0].strip()  # environment markers
    at = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*@", spec)
    if at:
        return at.group(1)
    if "/" in spec or "\\" in spec or spec.startswith(".") or spec.lower().endswith(_ARCHIVES):
        return None
    match = _NAME.match(spec)
    if not match:
        return None
    rest = match.group(3).strip()
    if rest and not rest.startswith(_SPECIFIER_START):
        return None
    return match.group(1)


def requirement_lines(text):
    """Requirement specifiers and nested ``-r`` files of a requirements file's text."""
    specs, files = [], []
    for line in text.splitlines():
        line = re.split(r"(^|\s)#", line, maxsplit=1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r", "--requirement")):
            value = line.split("=", 1)[1] if line.startswith("--requirement=") else re.sub(
                r"^(-r|--requirement)\s*", "", line)
            if value.strip():
                files.append(value.strip())
        elif not line.startswith("-"):
            specs.append(line)
    return specs, files


def split_shell(command):
    """Top-level commands of a shell line, split on ``;``, ``&&``, ``||`` and newlines.

    Quotes and backslashes are respected; a pipeline (``a | b``) stays one command.
    """
    parts, current, quote, i = [], [], None, 0
    while i < len(command):
        char = command[i]
        if quote:
            current.append(char)
            if char == "\\" and quote == '"' and i + 1 < len(command):
                current.append(command[i + 1])
                i += 1
            elif char == quote:
                quote = None
        elif char == "\\" and i + 1 < len(command):
            current.append(command[i:i + 2])
            i += 1
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char in ";\n" or command[i:i + 2] in ("&&", "||"):
            parts.append("".join(current))
            current = []
            if command[i:i + 2] in ("&&", "||"):
                i += 1
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


_REDIRECT = re.compile(r"^(\d*>>?|\d*<|&>>?|\d*>&|\d*<&)(.*)$")


def _words(segment):
    """The words of one command, without its redirections and what follows a pipe."""
    import shlex

    try:
        tokens = shlex.split(segment, comments=True)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        tokens = segment.split()
    words, skip = [], False
    for token in tokens:
        if skip:
            skip = False
            continue
        if token == "|" or token.startswith("|"):
            break
        redirect = _REDIRECT.match(token)
        if redirect:
            skip = not redirect.group(2)
            continue
        if token == "&":
            continue
        words.append(token)
    return words


_PIP_VALUE_OPTIONS = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src",
    "--upgrade-strategy", "--progress-bar", "--platform", "--python-version", "--implementation",
    "--abi", "--only-binary", "--no-binary", "--trusted-host", "--cache-dir", "--log", "--proxy",
    "--retries", "--timeout", "--exists-action", "--cert", "--client-cert", "--global-option",
    "--config-settings", "-C", "--report", "--python", "--log-file", "--keyring-provider",
    "--root-user-action", "--use-feature", "--use-deprecated", "--group",
}
_PIP_SHORT_WITH_VALUE = "rceiftC"
_CONDA_VALUE_OPTIONS = {"-c", "--channel", "-n", "--name", "-p", "--prefix", "--file",
                        "--override-channels-file", "--repodata-fn"}


def pip_targets(args):
    """``(packages, others, requirement_files)`` of the arguments of ``pip install``.

    Options are skipped (``-q``, ``-U``, ``--upgrade``, ``--index-url URL``); ``-r file``
    is returned in ``requirement_files``; ``-e``/``--editable`` targets are local sources
    and go to ``others`` like URLs and paths. Package names keep the student's spelling.
    """
    packages, others, files = [], [], []
    i = 0
    while i < len(args):
        arg = args[i]
        value = None
        if arg.startswith("--"):
            option, eq, attached = arg.partition("=")
            if option in _PIP_VALUE_OPTIONS:
                if eq:
                    value = attached
                elif i + 1 < len(args):
                    value = args[i + 1]
                    i += 1
                if option in ("--requirement",) and value:
                    files.append(value)
                elif option == "--editable" and value:
                    others.append(value)
            i += 1
            continue
        if arg.startswith("-") and len(arg) > 1:
            # short options, maybe combined (-qU) or with an attached value (-rreq.txt)
            for position, letter in enumerate(arg[1:], start=1):
                if letter in _PIP_SHORT_WITH_VALUE:
                    attached = arg[position + 1:]
                    if attached:
                        value = attached
                    elif i + 1 < len(args):
                        value = args[i + 1]
                        i += 1
                    if letter == "r" and value:
                        files.append(value)
                    elif letter == "e" and value:
                        others.append(value)
                    break
            i += 1
            continue
        name = requirement_name(arg)
        (packages if name else others).append(name or arg)
        i += 1
    return packages, others, files


def conda_targets(args):
    """``(packages, others)`` of the arguments of ``conda install`` (``-c channel`` skipped)."""
    packages, others = [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-"):
            option = arg.partition("=")[0]
            if option in _CONDA_VALUE_OPTIONS and "=" not in arg:
                i += 1
            i += 1
            continue
        spec = arg.split("::", 1)[-1]
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        (packages if match else others).append(match.group(1) if match else arg)
        i += 1
    return packages, others


_PIP_WORD = re.compile(r"^pip(\d+(\.\d+)?)?$")
_PYTHON_WORD = re.compile(r"^python(\d+(\.\d+)?)?$")
_APT_WORDS = ("apt", "apt-get", "aptitude")
_CONDA_WORDS = ("conda", "mamba", "micromamba")


def parse_command(segment):
    """What one shell command asks of a package manager, or None if it is not one.

    Returns ``{"tool": "pip" | "conda" | "apt", "command": segment, "subcommand": str,
    "packages": [...], "others": [...], "requirement_files": [...]}``.
    """
    words = _words(segment)
    while words and (words[0] in ("sudo", "env", "time", "command", "nohup")
                     or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])
                     or (words[0].startswith("-") and words[0] != "-")):
        words = words[1:]  # sudo, sudo -H, env VAR=1, ...
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    rest = words[1:]
    tool = None
    if _PIP_WORD.match(program):
        tool = "pip"
    elif _PYTHON_WORD.match(program):
        while rest and rest[0].startswith("-") and rest[0] != "-m":
            rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "-m" and _PIP_WORD.match(rest[1]):
            tool, rest = "pip", rest[2:]
        elif rest and rest[0].startswith("-mpip"):
            tool, rest = "pip", rest[1:]
    elif program == "uv" and rest[:1] == ["pip"]:
        tool, rest = "pip", rest[1:]
    elif program in _CONDA_WORDS:
        tool = "conda"
    elif program in _APT_WORDS:
        tool = "apt"
    if tool is None:
        return None
    action = {"tool": tool, "command": segment.strip(), "subcommand": "", "packages": [], "others": [],
              "requirement_files": []}
    # the subcommand: the first word that is not an option (pip -q install x)
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        option = rest[i].partition("=")[0]
        if "=" not in rest[i] and (option in _PIP_VALUE_OPTIONS or option in _CONDA_VALUE_OPTIONS):
            i += 1
        i += 1
    if i < len(rest):
        action["subcommand"] = rest[i]
        args = rest[i + 1:]
    else:
        args = []
    if tool == "pip" and action["subcommand"] == "install":
        action["packages"], action["others"], action["requirement_files"] = pip_targets(args)
    elif tool == "conda" and action["subcommand"] == "install":
        action["packages"], action["others"] = conda_targets(args)
    return action


_HINT = re.compile(r"(^|[\s;&|(/])(pip\d*(\.\d+)?|python\d*(\.\d+)?|uv|apt|apt-get|aptitude|conda|mamba"
                   r"|micromamba)(\s|$)")


def parse_shell(command):
    """``(actions, rest)``: package-manager commands of a shell line, and the other commands."""
    if not _HINT.search(command):
        return [], [command]
    actions, rest = [], []
    for segment in split_shell(command):
        action = parse_command(segment)
        if action is None:
            rest.append(segment)
        else:
            actions.append(action)
    return actions, rest


# ----------------------------------------------------------------- package managers
_ALIASES = {  # a name students install -> distributions that provide the same import here
    "tensorflow": ("tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "tensorflow-intel"),
    "tensorflow-gpu": ("tensorflow", "tensorflow-cpu"),
    "tensorflow-cpu": ("tensorflow",),
    "sklearn": ("scikit-learn",),
    "pil": ("pillow",),
    "opencv-python": ("opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "opencv-python-headless": ("opencv-python", "opencv-contrib-python-headless"),
    "opencv-contrib-python": ("opencv-contrib-python-headless",),
    "torch": ("torch-cpu",),
}


def _installed_version(name):
    """``(distribution, version)`` installed here for ``name`` or one of its aliases, or None."""
    import importlib.metadata as metadata

    normalized = normalize_name(name)
    for candidate in (normalized,) + _ALIASES.get(normalized, ()):
        try:
            dist = metadata.distribution(candidate)
        except metadata.PackageNotFoundError:
            continue
        except (ValueError, OSError):
            continue
        return dist.metadata.get("Name") or candidate, dist.version
    return None


def _read_requirements(path, depth=0):
    """Specifiers named by a requirements file (and its nested ``-r``), or None if unreadable."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(1_000_000)
    except OSError:
        return None
    specs, files = requirement_lines(text)
    if depth < 3:
        import os

        for nested in files:
            more = _read_requirements(os.path.join(os.path.dirname(path), nested), depth + 1)
            specs.extend(more or [])
    return specs


class _PackageManagers:
    """Answers pip, conda and apt commands without running them."""

    def __init__(self, record):
        self.record = record

    def handle(self, action):
        """The lines to show the student for one parsed command (and its events)."""
        tool, sub = action["tool"], action["subcommand"]
        if tool == "apt":
            self.record("apt", action["command"], "", "comando do sistema não executado")
            return [f"grader: comandos do sistema (apt) não são executados no ambiente de correção; "
                    f"'{action['command']}' foi ignorado."]
        if sub != "install":
            label = "pip" if tool == "pip" else tool
            return [f"grader: '{action['command']}' não é executado no ambiente de correção "
                    f"({label} não instala nem remove pacotes aqui)."]
        lines = []
        packages = list(action["packages"])
        others = list(action["others"])
        for path in action.get("requirement_files", []):
            specs = _read_requirements(path)
            if specs is None:
                lines.append(f"grader: o arquivo de requisitos '{path}' não existe no ambiente de correção; "
                             f"nada foi instalado.")
                continue
            for spec in specs:
                name = requirement_name(spec)
                (packages if name else others).append(name or spec)
        for name in dict.fromkeys(packages):
            found = _installed_version(name)
            if found:
                dist, version = found
                shown = name if normalize_name(dist) == normalize_name(name) else f"{name} ({dist})"
                self.record("pip_present", name, "", version)
                lines.append(f"grader: {shown} já está instalado (versão {version}); nada foi instalado.")
            else:
                self.record("pip_missing", name, "", "pacote não disponível no ambiente de correção")
                lines.append(f"grader: o pacote {name} não está disponível no ambiente de correção e não foi "
                             f"instalado (a correção não instala pacotes); use só as bibliotecas do curso.")
        for other in dict.fromkeys(others):
            self.record("pip_missing", other, "", "instalação a partir de URL, arquivo ou pasta não é feita")
            lines.append(f"grader: '{other}' não foi instalado: a correção não instala pacotes de URLs, "
                         f"arquivos ou pastas.")
        if not lines:
            lines.append(f"grader: '{action['command']}' não foi executado; a correção não instala pacotes.")
        return lines

    def answer(self, actions):
        lines = []
        for action in actions:
            lines.extend(self.handle(action))
        return lines


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


# ------------------------------------------------------------------------- Colab
DRIVE_NOTE = ("grader: o Google Drive não existe no ambiente de correção; drive.mount({path!r}) foi ignorado. "
              "Arquivos do Drive não estarão disponíveis: carregue os dados no próprio código, por exemplo "
              "com keras.datasets.fashion_mnist.load_data().")
UPLOAD_ERROR = ("files.upload() não funciona no ambiente de correção: ninguém escolhe arquivos durante a "
                "correção. Carregue os dados no próprio código, por exemplo com "
                "keras.datasets.fashion_mnist.load_data(), e remova a chamada a files.upload().")
DOWNLOAD_NOTE = ("grader: não há navegador no ambiente de correção; files.download({path!r}) foi ignorado "
                 "(o arquivo continua salvo onde o notebook o escreveu).")


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
            record("colab_drive_mount", str(mountpoint), "", "Google Drive não existe no ambiente de correção")
            print(DRIVE_NOTE.format(path=str(mountpoint)))

        def flush_and_unmount(*args, **kwargs):
            return None

        module.mount = mount
        module.flush_and_unmount = flush_and_unmount
        return module

    def files(name):
        module = package(name)

        def upload(*args, **kwargs):
            record("colab_files", "files.upload", "", "não há como enviar arquivos durante a correção")
            raise RuntimeError(UPLOAD_ERROR)

        def download(filename, *args, **kwargs):
            # Colab's own check; otherwise the file only goes to a browser: nothing the notebook needs
            if not os.path.exists(filename):
                raise FileNotFoundError(f"Cannot find file: {filename}")
            record("colab_files", "files.download", "", "não há navegador para receber o arquivo")
            print(DOWNLOAD_NOTE.format(path=str(filename)))

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
        record("colab_import", name, "", "módulo do Colab substituído no ambiente de correção")

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
                print(f"grader: '%{command}' não é executado no ambiente de correção; a correção não instala "
                      f"pacotes.")
                return None
            print("\n".join(managers.handle(action)))
            return None
        magic.__doc__ = f"grader: %{tool} is answered without running {tool} (see kernel_compat.py)."
        return magic

    for tool in ("pip", "conda", "mamba", "micromamba", "uv"):  # IPython's packaging magics
        shell.register_magic_function(magic_for(tool), magic_kind="line", magic_name=tool)

    def tensorflow_version(line=""):
        record("magic", f"%tensorflow_version {line}".strip(), "", "mágica do Colab aceita e ignorada")

    shell.register_magic_function(tensorflow_version, magic_kind="line", magic_name="tensorflow_version")


# ---------------------------------------------------------------------- Keras 2 names
KERAS2_MODULES = {  # removed Keras 2 module -> the Keras 3 module holding the same names
    "utils.np_utils": "utils",
    "layers.convolutional": "layers",
    "layers.pooling": "layers",
    "layers.core": "layers",
    "layers.normalization": "layers",
    "layers.recurrent": "layers",
    "layers.merge": "layers",
    "layers.advanced_activations": "layers",
    "layers.embeddings": "layers",
    "layers.wrappers": "layers",
    "layers.noise": "layers",
}
KERAS_PREFIXES = {"keras": "keras", "tensorflow.keras": "tensorflow.keras",
                  "keras._tf_keras.keras": "tensorflow.keras"}  # imported as -> shown as
LEGACY_IMAGE = ("ImageDataGenerator", "NumpyArrayIterator", "DirectoryIterator", "DataFrameIterator", "Iterator")


class _AliasModule(types.ModuleType):
    """A removed Keras 2 module whose attributes are those of its Keras 3 successor."""

    def __getattr__(self, attribute):
        target = importlib.import_module(self.__dict__["__grader_target__"])
        if attribute == "__all__":
            return [n for n in dir(target) if not n.startswith("_")]
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(target, attribute)

    def __dir__(self):
        target = importlib.import_module(self.__dict__["__grader_target__"])
        return sorted(set(dir(target)) | set(self.__dict__))


def _install_keras2_modules(finder, record):
    for prefix, shown in KERAS_PREFIXES.items():
        for old, new in KERAS2_MODULES.items():
            target = f"{prefix}.{new}"
            old_shown, new_shown = f"{shown}.{old}", f"{shown}.{new}"

            def build(name, target=target):
                module = _AliasModule(name, f"Keras 2 name mapped to {target} by the grader.")
                module.__grader_target__ = target
                return module

            def on_import(name, old_shown=old_shown, new_shown=new_shown):
                record("keras2", old_shown, new_shown, f"'{old_shown}' não existe no Keras 3; use '{new_shown}'.")

            finder.add(f"{prefix}.{old}", build, False, on_import)


def _install_legacy_image(record):
    """``keras.preprocessing.image.ImageDataGenerator`` (gone in Keras 3) from Keras's legacy module."""
    module = sys.modules.get("keras.preprocessing.image")
    if module is None:
        try:
            module = importlib.import_module("keras.preprocessing.image")
        except ImportError:
            return
    if hasattr(module, "ImageDataGenerator") or "__getattr__" in module.__dict__:
        return

    def __getattr__(attribute):
        if attribute in LEGACY_IMAGE:
            try:
                legacy = importlib.import_module("keras.src.legacy.preprocessing.image")
            except ImportError:
                legacy = None
            if legacy is not None and hasattr(legacy, attribute):
                record("keras2", f"keras.preprocessing.image.{attribute}",
                       f"tensorflow.keras.preprocessing.image.{attribute}",
                       f"'keras.preprocessing.image.{attribute}' não existe no Keras 3; a versão legada "
                       f"(tensorflow.keras.preprocessing.image.{attribute}) foi usada.")
                return getattr(legacy, attribute)
        raise AttributeError(f"module 'keras.preprocessing.image' has no attribute '{attribute}'")

    module.__getattr__ = __getattr__


def _install_optimizers(record):
    """``lr=`` (Keras 2) becomes ``learning_rate=`` for every optimizer; ``decay=`` is reported."""
    try:
        from keras.src.optimizers.base_optimizer import BaseOptimizer
    except ImportError:
        return
    original = BaseOptimizer.__init__
    if getattr(original, "__grader_compat__", False):
        return

    def __init__(self, *args, **kwargs):
        # Adam & co. call super().__init__(learning_rate=<their default>, **kwargs): the
        # student's value arrives as lr next to the default, so lr wins
        if "lr" in kwargs:
            cls = type(self).__name__
            value = kwargs.pop("lr")
            if args:
                args = (value,) + args[1:]
            else:
                kwargs["learning_rate"] = value
            record("keras2", "lr=", "learning_rate=", f"{cls}(lr=...) foi lido como {cls}(learning_rate=...).")
        if kwargs.get("decay") is not None:  # Keras 3 itself ignores it, with a warning
            cls = type(self).__name__
            record("keras2", "decay=", "keras.optimizers.schedules",
                   f"{cls}(decay=...) é ignorado no Keras 3; para reduzir a taxa de aprendizado use "
                   f"keras.optimizers.schedules (por exemplo ExponentialDecay).")
        return original(self, *args, **kwargs)

    __init__.__grader_compat__ = True
    __init__.__wrapped__ = original
    BaseOptimizer.__init__ = __init__
    if not hasattr(BaseOptimizer, "lr"):
        def get_lr(self):
            record("keras2", "optimizer.lr", "optimizer.learning_rate",
                   "optimizer.lr não existe no Keras 3; use optimizer.learning_rate.")
            return self.learning_rate

        def set_lr(self, value):
            record("keras2", "optimizer.lr", "optimizer.learning_rate",
                   "optimizer.lr não existe no Keras 3; use optimizer.learning_rate.")
            self.learning_rate = value

        BaseOptimizer.lr = property(get_lr, set_lr)


_FIT_DROPPED = ("max_queue_size", "workers", "use_multiprocessing")


def _install_model_methods(record):
    """``fit_generator`` & co. and ``predict_classes``, only where Keras 3 lacks them."""
    try:
        import keras
    except ImportError:
        return
    Model = keras.Model

    def note(old, new):
        record("keras2", f"model.{old}", f"model.{new}", f"model.{old}(...) não existe no Keras 3; "
                                                         f"foi executado como model.{new}(...).")

    def drop(kwargs):
        for key in _FIT_DROPPED:
            kwargs.pop(key, None)
        return kwargs

    def fit_generator(self, generator, *args, **kwargs):
        note("fit_generator", "fit")
        return self.fit(generator, *args, **drop(kwargs))

    def evaluate_generator(self, generator, *args, **kwargs):
        note("evaluate_generator", "evaluate")
        return self.evaluate(generator, *args, **drop(kwargs))

    def predict_generator(self, generator, *args, **kwargs):
        note("predict_generator", "predict")
        return self.predict(generator, *args, **drop(kwargs))

    def predict_classes(self, x, batch_size=32, verbose=0):
        record("keras2", "model.predict_classes", "np.argmax(model.predict(x), axis=-1)",
               "model.predict_classes(x) não existe no Keras 3; use np.argmax(model.predict(x), axis=-1) "
               "(ou (model.predict(x) > 0.5).astype('int32') para uma saída sigmoide).")
        import numpy as np

        proba = np.asarray(self.predict(x, batch_size=batch_size, verbose=verbose))
        if proba.ndim > 1 and proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        record("keras2", "model.predict_proba", "model.predict",
               "model.predict_proba(x) não existe no Keras 3; use model.predict(x).")
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    for name, method in (("fit_generator", fit_generator), ("evaluate_generator", evaluate_generator),
                         ("predict_generator", predict_generator), ("predict_classes", predict_classes),
                         ("predict_proba", predict_proba)):
        if not hasattr(Model, name):
            setattr(Model, name, method)


# ------------------------------------------------------------------------- entry point
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


def install_compat(keras2, load_keras=True):
    """Install the compatibility layer in the running IPython shell; return the events list.

    ``load_keras`` False (an assignment that grades no model): Keras is not imported here;
    its Keras 2 patches are installed if and when the notebook imports it.
    """
    record = _Recorder()
    finder = _CompatFinder()
    _install_colab(finder, record)
    if keras2:
        _install_keras2_modules(finder, record)
    sys.meta_path.insert(0, finder)
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

        if load_keras or "keras" in sys.modules:
            patch_keras()
        else:
            sys.meta_path.insert(0, _AfterImport("keras", patch_keras))
    return record.events

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
    "utils.vis_utils": "utils",
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
KERAS_SOURCES = {"tensorflow.keras": "keras._tf_keras.keras"}  # a name that is not a module of its own
LEGACY_IMAGE = ("ImageDataGenerator", "NumpyArrayIterator", "DirectoryIterator", "DataFrameIterator", "Iterator")


class _AliasModule(types.ModuleType):
    """A removed Keras 2 module whose attributes are those of its Keras 3 successor."""

    def __getattr__(self, attribute):
        target = importlib.import_module(self.__dict__["__grader_target__"])
        if attribute == "__all__":
            return [n for n in dir(target) if not n.startswith("_")]
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        value = getattr(target, attribute)
        on_use = self.__dict__.get("__grader_on_use__")
        if on_use is not None:
            on_use()
        return value

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


# ------------------------------------------------- Keras 2 defaults and argument forms
def _wrap(owner, attribute, make):
    """Replace ``owner.attribute`` with ``make(original)``, once (a second install keeps the first)."""
    original = getattr(owner, attribute, None)
    if original is None or getattr(original, "__grader_compat__", False):
        return
    wrapper = make(original)
    wrapper.__grader_compat__ = True
    wrapper.__wrapped__ = original
    wrapper.__doc__ = getattr(original, "__doc__", None)
    try:  # Keras reads a layer's __init__ signature to record its config
        import inspect

        wrapper.__signature__ = inspect.signature(original)
    except (TypeError, ValueError):
        pass
    setattr(owner, attribute, wrapper)


POOL_DEFAULTS = {"1D": 2, "2D": (2, 2), "3D": (2, 2, 2)}  # Keras 2's pool_size when none is given


def _install_pooling_defaults(record):
    """``AveragePooling2D()`` with no pool size: Keras 2 pooled 2x2; Keras 3 requires ``pool_size``."""
    import inspect

    import keras

    for kind in ("AveragePooling", "MaxPooling"):
        for dims, default in POOL_DEFAULTS.items():
            cls = getattr(keras.layers, kind + dims, None)
            try:
                parameter = inspect.signature(cls.__init__).parameters.get("pool_size") if cls else None
            except (TypeError, ValueError):
                parameter = None
            if parameter is None or parameter.default is not inspect.Parameter.empty:
                continue  # this Keras has a default of its own

            def make(original, name=cls.__name__, default=default):
                def __init__(self, *args, **kwargs):
                    if not args and "pool_size" not in kwargs:
                        kwargs["pool_size"] = default
                        record("keras2", f"{name}()", f"{name}(pool_size={default!r})",
                               f"{name} sem pool_size usa {default!r} no Keras 2; o Keras 3 exige pool_size.")
                    return original(self, *args, **kwargs)
                return __init__

            _wrap(cls, "__init__", make)


def _is_metric_list(value):
    """A Keras 2 ``metrics`` argument: names or metric objects, never loss weights (numbers)."""
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
    return bool(items) and all(item is not None and not isinstance(item, (int, float)) for item in items)


KERAS2_COMPILE_ARGS = ("metrics", "loss_weights", "weighted_metrics", "run_eagerly", "steps_per_execution",
                      "jit_compile")  # Keras 2's compile() arguments after optimizer and loss, in order


def _install_compile(record):
    """``compile(metrics="accuracy")`` and Keras 2's positional ``compile(optimizer, loss, metrics)``."""
    import keras

    def make(original):
        def compile(self, *args, **kwargs):
            # Keras 2: compile(optimizer, loss, metrics, loss_weights, weighted_metrics, ...); Keras 3
            # put loss_weights third, so a third positional argument of metric names is Keras 2's
            if len(args) >= 3 and _is_metric_list(args[2]):
                names = KERAS2_COMPILE_ARGS[:len(args) - 2]
                if not any(name in kwargs for name in names):
                    kwargs.update(zip(names, args[2:]))
                    args = args[:2]
                    record("keras2", "compile(optimizer, loss, metrics)",
                           "compile(optimizer=..., loss=..., metrics=...)",
                           "o terceiro argumento de compile era metrics no Keras 2 e é loss_weights no Keras 3; "
                           "foi lido como metrics.")
            for key in ("metrics", "weighted_metrics"):
                value = kwargs.get(key)
                if isinstance(value, str):
                    kwargs[key] = [value]
                    record("keras2", f'compile({key}="{value}")', f'compile({key}=["{value}"])',
                           f"o Keras 3 exige uma lista em {key}=; foi lido como [{value!r}].")
            return original(self, *args, **kwargs)
        return compile

    _wrap(keras.Model, "compile", make)


class _CheckpointStatus:
    """What Keras 2's ``load_weights`` returned for a TensorFlow checkpoint (``.expect_partial()``)."""

    def expect_partial(self):
        return self

    def assert_consumed(self):
        return self

    def assert_existing_objects_matched(self):
        return self

    def assert_nontrivial_match(self):
        return self

    def run_restore_ops(self, session=None):
        return None


KERAS3_WEIGHTS = (".weights.h5", ".weights.json")
HDF5 = (".h5", ".hdf5")
KERAS3_MODELS = (".keras",) + HDF5


def _keras3_name(path, suffix):
    """``pesos.h5`` -> ``pesos.weights.h5``; ``modelo`` -> ``modelo.keras``: the name Keras 3 expects."""
    stem = path[:path.rfind(".")] if path.lower().endswith(HDF5) else path
    return stem + suffix


def _install_saving(record):
    """Keras 2 file names for ``save_weights``/``load_weights``/``save`` and ``ModelCheckpoint``.

    ``save_weights("pesos.h5")`` writes Keras 2's HDF5 weights (which Keras 3's
    ``load_weights`` reads); ``save_weights("pesos")`` (a TensorFlow checkpoint in Keras 2)
    writes ``pesos.weights.h5``, which ``load_weights("pesos")`` then reads; ``save("modelo")``
    (a SavedModel folder in Keras 2) writes a Keras model folder, which ``load_model`` reads.
    """
    import keras

    quiet = []  # inside ModelCheckpoint: its constructor already reported the name

    def weights_note(path):
        if not quiet:
            record("keras2", f'save_weights("{path}")', f'save_weights("{_keras3_name(path, ".weights.h5")}")',
                   f"o Keras 3 só salva pesos em arquivos .weights.h5; '{path}' foi salvo como no Keras 2.")

    def make_save_weights(original):
        def save_weights(self, filepath, *args, **kwargs):
            path = str(filepath)
            if path.endswith(KERAS3_WEIGHTS) or kwargs.get("max_shard_size") or path.startswith("hf://"):
                return original(self, filepath, *args, **kwargs)
            kwargs.pop("save_format", None)
            kwargs.pop("options", None)
            if path.lower().endswith(HDF5):
                import h5py
                from keras.src.legacy.saving import legacy_h5_format

                weights_note(path)
                with h5py.File(path, "w") as handle:
                    legacy_h5_format.save_weights_to_hdf5_group(handle, self)
                return None
            weights_note(path)
            if os.path.dirname(path):  # TensorFlow created a checkpoint's folders
                os.makedirs(os.path.dirname(path), exist_ok=True)
            return original(self, path + ".weights.h5", *args, **kwargs)
        return save_weights

    def make_load_weights(original):
        def load_weights(self, filepath, *args, **kwargs):
            path = str(filepath)
            if not path.endswith(KERAS3_MODELS + KERAS3_WEIGHTS) and os.path.isfile(path + ".weights.h5"):
                record("keras2", f'load_weights("{path}")', f'load_weights("{path}.weights.h5")',
                       f"'{path}' (um checkpoint do TensorFlow no Keras 2) foi lido de '{path}.weights.h5'.")
                original(self, path + ".weights.h5", *args, **kwargs)
                return _CheckpointStatus()
            return original(self, filepath, *args, **kwargs)
        return load_weights

    def make_save(original):
        def save(self, filepath, *args, **kwargs):
            path = str(filepath)
            folder = not path.lower().endswith(KERAS3_MODELS) and not path.startswith("hf://") and not args
            if not folder or kwargs.get("zipped") is not None or kwargs.get("save_format") in ("h5", "keras"):
                return original(self, filepath, *args, **kwargs)
            for key in ("save_format", "signatures", "options", "save_traces"):
                kwargs.pop(key, None)
            if not quiet:
                record("keras2", f'model.save("{path}")', f'model.save("{path}.keras")',
                       f"no Keras 2, '{path}' era uma pasta SavedModel; foi salvo como uma pasta do Keras 3, "
                       f"que keras.models.load_model('{path}') lê.")
            return original(self, path, zipped=False, **kwargs)
        return save

    _wrap(keras.Model, "save_weights", make_save_weights)
    _wrap(keras.Model, "load_weights", make_load_weights)
    _wrap(keras.Model, "save", make_save)

    def make_checkpoint(original):
        def __init__(self, filepath, *args, **kwargs):
            path = str(filepath)
            weights_only = kwargs.get("save_weights_only", args[3] if len(args) > 3 else False)
            wanted = KERAS3_WEIGHTS[:1] if weights_only else (".keras", ".h5")
            if path.endswith(wanted) or path.startswith("hf://"):
                return original(self, filepath, *args, **kwargs)
            original(self, path + wanted[0], *args, **kwargs)  # Keras 3 checks the name it is given
            self.filepath = path  # and saves through save/save_weights, which take Keras 2 names
            method = "save_weights" if weights_only else "save"
            record("keras2", f'ModelCheckpoint("{path}")', f'ModelCheckpoint("{_keras3_name(path, wanted[0])}")',
                   f"o Keras 3 exige que o arquivo de ModelCheckpoint termine em {wanted[0]}; "
                   f"'{path}' foi salvo como model.{method}('{path}') no Keras 2.")
        return __init__

    def make_checkpoint_save(original):
        def _save_model(self, *args, **kwargs):
            quiet.append(True)
            try:
                return original(self, *args, **kwargs)
            finally:
                quiet.pop()
        return _save_model

    _wrap(keras.callbacks.ModelCheckpoint, "__init__", make_checkpoint)
    if hasattr(keras.callbacks.ModelCheckpoint, "_save_model"):
        _wrap(keras.callbacks.ModelCheckpoint, "_save_model", make_checkpoint_save)


# TensorFlow functions Keras 2 wrote under a Keras name and Keras 3 writes under TensorFlow's
TF_ACTIVATIONS = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax"}


def _install_tf_activations(record):
    """A saved ``activation=tf.nn.softmax`` (``softmax_v2`` in Keras 3's JSON) reads as ``"softmax"``."""
    try:
        from keras.src import activations
    except ImportError:
        return

    def make(original):
        def get(identifier):
            if (isinstance(identifier, dict) and identifier.get("class_name") == "function"
                    and identifier.get("config") in TF_ACTIVATIONS):
                name = TF_ACTIVATIONS[identifier["config"]]
                record("keras2", f"activation=tf.nn.{name}", f'activation="{name}"',
                       f"um modelo salvo com activation=tf.nn.{name} foi lido com activation='{name}'.")
                identifier = name
            return original(identifier)
        return get

    _wrap(activations, "get", make)


_TRAINING_DROPPED = ("max_queue_size", "workers", "use_multiprocessing")


def _install_training_arguments(record):
    """``fit(..., workers=4, use_multiprocessing=True)``: Keras 3 has no such arguments; they only set speed."""
    import keras

    def make(original, method):
        def run(self, *args, **kwargs):
            for key in _TRAINING_DROPPED:
                if key in kwargs:
                    kwargs.pop(key)
                    record("keras2", f"{method}({key}=...)", "",
                           f"{method}({key}=...) não existe no Keras 3 e foi ignorado (só mudava a velocidade).")
            return original(self, *args, **kwargs)
        return run

    for method in ("fit", "evaluate", "predict"):
        _wrap(keras.Model, method, lambda original, method=method: make(original, method))


def _install_legacy_optimizers(record):
    """``keras.optimizers.legacy.Adam`` (Keras 2.11+) as the optimizer of the same name."""
    try:
        import keras
        from keras.optimizers import legacy
    except ImportError:
        return
    for name in ("Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"):
        modern = getattr(keras.optimizers, name, None)
        if modern is None or getattr(getattr(legacy, name, None), "__grader_compat__", False):
            continue

        def optimizer(*args, name=name, modern=modern, **kwargs):
            record("keras2", f"keras.optimizers.legacy.{name}", f"keras.optimizers.{name}",
                   f"keras.optimizers.legacy não existe no Keras 3; foi usado keras.optimizers.{name}.")
            return modern(*args, **kwargs)

        optimizer.__grader_compat__ = True
        optimizer.__name__ = optimizer.__qualname__ = name
        setattr(legacy, name, optimizer)


def _install_layer_shapes(record):
    """``layer.output_shape`` / ``layer.input_shape`` (Keras 2) as ``layer.output.shape`` / ``layer.input.shape``."""
    import keras

    Layer = keras.layers.Layer

    def shape_of(tensors):
        if isinstance(tensors, (list, tuple)):
            return [tuple(t.shape) for t in tensors]
        return tuple(tensors.shape)

    def make(side):
        def getter(self):
            missing = AttributeError(f"'{type(self).__name__}' object has no attribute '{side}_shape'")
            # Keras 3 itself asks hasattr(layer, "input_shape") (Sequential rebuilding): it must
            # find what it finds without the layer; only the notebook's own code reads Keras 2's name
            caller = str(sys._getframe(1).f_globals.get("__name__", ""))
            if caller.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
                raise missing
            try:
                value = shape_of(getattr(self, side))
            except (AttributeError, ValueError):  # never called: no shape, as hasattr() expects
                raise missing from None
            record("keras2", f"layer.{side}_shape", f"layer.{side}.shape",
                   f"layer.{side}_shape não existe no Keras 3; foi lido como layer.{side}.shape.")
            return value
        getter.__grader_compat__ = True
        return property(getter)

    for side in ("output", "input"):
        if not hasattr(Layer, f"{side}_shape"):
            setattr(Layer, f"{side}_shape", make(side))


def _install_experimental_layers(record):
    """``tf.keras.layers.experimental.preprocessing.Rescaling`` & co. as ``keras.layers.Rescaling``."""
    try:
        importlib.import_module("keras._tf_keras.keras.layers")  # tf.keras is loaded lazily
    except ImportError:
        pass

    def alias(old, target, shown):
        module = _AliasModule(old, f"Keras 2 name mapped to {target} by the grader.")
        module.__grader_target__ = target
        module.__grader_on_use__ = lambda: record(
            "keras2", old, f"{shown}.layers", f"'{old}' não existe no Keras 3; as mesmas camadas estão em "
                                              f"'{shown}.layers'.")
        return module

    for prefix, shown in KERAS_PREFIXES.items():
        # tensorflow.keras is TensorFlow's lazy name for keras._tf_keras.keras
        layers = sys.modules.get(f"{prefix}.layers") or sys.modules.get(f"{KERAS_SOURCES.get(prefix)}.layers")
        if layers is None or f"{prefix}.layers.experimental" in sys.modules:
            continue
        experimental = layers.__dict__.get("experimental")
        if experimental is None:
            experimental = alias(f"{shown}.layers.experimental", layers.__name__, shown)
            experimental.__path__ = []  # a package: ``from ...experimental import preprocessing``
            experimental.preprocessing = alias(f"{shown}.layers.experimental.preprocessing", layers.__name__, shown)
            layers.experimental = experimental
        sys.modules[f"{prefix}.layers.experimental"] = experimental
        sys.modules[f"{prefix}.layers.experimental.preprocessing"] = experimental.preprocessing


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
            _install_pooling_defaults(record)
            _install_compile(record)
            _install_saving(record)
            _install_tf_activations(record)
            _install_training_arguments(record)
            _install_legacy_optimizers(record)
            _install_layer_shapes(record)
            _install_experimental_layers(record)

        if load_keras or "keras" in sys.modules:
            patch_keras()
        else:
            sys.meta_path.insert(0, _AfterImport("keras", patch_keras))
    return record.events

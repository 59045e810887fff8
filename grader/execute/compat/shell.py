"""Shell commands parsed the way a notebook writes them (``!pip install -q numpy``, ``%pip``): pure.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import re

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

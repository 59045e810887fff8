"""pip, conda and apt answered without running them: what is installed here, what is not.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

from .events import say
from .shell import normalize_name, requirement_lines, requirement_name

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
            self.record("apt", action["command"], "", say("kernel.apt.detail"))
            return [say("kernel.apt.ignored", command=action["command"])]
        if sub != "install":
            label = "pip" if tool == "pip" else tool
            return [say("kernel.pip.not_run", command=action["command"], label=label)]
        lines = []
        packages = list(action["packages"])
        others = list(action["others"])
        for path in action.get("requirement_files", []):
            specs = _read_requirements(path)
            if specs is None:
                lines.append(say("kernel.pip.no_requirements", path=path))
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
                lines.append(say("kernel.pip.present", shown=shown, version=version))
            else:
                self.record("pip_missing", name, "", say("kernel.pip.missing_detail"))
                lines.append(say("kernel.pip.missing", name=name))
        for other in dict.fromkeys(others):
            self.record("pip_missing", other, "", say("kernel.pip.other_detail"))
            lines.append(say("kernel.pip.other", other=other))
        if not lines:
            lines.append(say("kernel.pip.nothing", command=action["command"]))
        return lines

    def answer(self, actions):
        lines = []
        for action in actions:
            lines.extend(self.handle(action))
        return lines

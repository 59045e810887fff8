"""The compatibility layer the kernel gets before any student code, one module a job.

Real hand-ins are written for Google Colab or for Keras 2 and fail here for reasons that are
not the student's (``from google.colab import drive``, ``!pip install ...``,
``%tensorflow_version 2.x``, ``from keras.utils import np_utils``, ``Adam(lr=0.01)``). The
parts, in the order they are shipped (:data:`PIECES`):

- :mod:`.events`: the events recorded (what the grader reports) and the text shown;
- :mod:`.shell`: shell commands parsed as a notebook writes them (pure);
- :mod:`.packages`: pip, conda and apt answered without running them;
- :mod:`.finder`: an import finder serving stand-in modules;
- :mod:`.colab`: the Google Colab stand-in and the magics;
- :mod:`.keras2_names`, :mod:`.keras2_arguments`: Keras 2 names, defaults and argument forms;
- :mod:`.vision_transforms`, :mod:`.vision_datasets`, :mod:`.vision`: ``import torchvision``, the
  real library or the grader's substitute, with CIFAR-10 read from the grader's folder;
- :mod:`.torch_setup`: PyTorch seeded, deterministic and on the kernel's threads once imported;
- :mod:`.install`: ``install_compat``, the entry point.

The parts import nothing from ``grader`` (the kernel has no grader to import): the kernel and
the judge receive them as one text, :func:`kernel_source`: what ``runner.py`` sends into the kernel and the judge writes into its folder
(``kernel_compat.py``, executed by ``judge_side.py``). Their text is the catalogue's
``[kernel]`` table, in pt-BR (the course's language) unless shipped in another.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.messages import load_catalogue

HERE = Path(__file__).parent
PIECES = ("events", "shell", "packages", "finder", "colab", "keras2_names", "keras2_arguments", "vision_transforms",
          "vision_datasets", "vision", "torch_setup", "install")
_RELATIVE_IMPORT = re.compile(r"^from \.\w* import (\([^)]*\)|[^\n]*)\n", re.M)
_BANNER = "# The kernel's compatibility layer as one text, from grader/execute/compat/ (kernel_source).\n"


def kernel_messages(lang: str = "pt") -> dict[str, str]:
    """The catalogue's ``[kernel]`` table in ``lang``: what the layer prints and records."""
    messages = load_catalogue(lang).messages
    return {key: text for key, text in sorted(messages.items()) if key.startswith("kernel.")}


def kernel_source(lang: str = "pt") -> str:
    """Every part as one module text that runs alone (``exec``), its messages in ``lang``."""
    texts = [_BANNER]
    for name in PIECES:
        text = _RELATIVE_IMPORT.sub("", (HERE / f"{name}.py").read_text(encoding="utf-8"))
        texts.append(f"\n\n# {'-' * 70} {name}\n{text}")
        if name == "events":
            entries = "".join(f"    {key!r}: {text!r},\n" for key, text in kernel_messages(lang).items())
            texts.append(f"MESSAGES.update({{\n{entries}}})\n")
    return "".join(texts)


# the grader's own process uses the parts as modules too (tests, ``kernel_compat``'s names): in pt-BR
from grader.execute.compat import events as _events  # noqa: E402

_events.MESSAGES.update(kernel_messages())

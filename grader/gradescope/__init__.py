"""Gradescope: the autograder zip (``grader gradescope build``) and what runs inside it.

:mod:`.build` writes the zip (``setup.sh`` and ``run_autograder`` at its root, the grader's
source, the assignment, its reference and Fashion-MNIST under ``source/``); :mod:`.autograde`
is ``run_autograder``'s Python side; :mod:`.results` turns a graded submission into
Gradescope's ``results.json``; :mod:`.metadata` reads ``submission_metadata.json``.
"""

from grader.gradescope.settings import AutograderSettings

__all__ = ["AutograderSettings"]

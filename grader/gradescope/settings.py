"""The settings the autograder zip carries (``source/gradescope.json``), decided when it is built."""

from __future__ import annotations

from dataclasses import dataclass

from grader.serial import JsonData

SETTINGS_NAME = "gradescope.json"
GRADESCOPE_DEFAULT_MEMORY_MB = 768  # what Gradescope gives an autograder unless told otherwise
GRADESCOPE_DEFAULT_TIMEOUT = 600
# a kernel training a Keras model (measured: 2.3 GB for cnn-pratica's reference) beside the grader's
# worker, which holds TensorFlow meanwhile and peaks at 1.7 GB when it evaluates the models (README)
MODEL_MEMORY_MB = 4096
OVERHEAD_SECONDS = 120  # kernel start-up, inspection, the judge, writing the results


@dataclass(frozen=True)
class AutograderSettings(JsonData):
    """How ``run_autograder`` grades, and what the Gradescope assignment must be given.

    Paths are relative to ``/autograder/source``. ``memory_mb`` and ``timeout_seconds`` are
    what the instructor sets in Gradescope's autograder settings (its defaults: 768 MB, ten
    minutes); ``reference_stored`` says whether ``setup.sh`` grades the reference once, so
    that each submission runs only the student's notebook.
    """

    assignment: str
    title: str = ""
    lang: str = "pt"
    assignments_dir: str = "assignments"
    data_dir: str = "data/fashion-mnist"
    store: str = "store.sqlite"
    memory_mb: int = GRADESCOPE_DEFAULT_MEMORY_MB
    timeout_seconds: int = GRADESCOPE_DEFAULT_TIMEOUT
    leaderboard: bool = True
    max_score: float = 0.0
    grader_version: str = ""

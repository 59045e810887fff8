"""The one grading function, given a backend: any object that executes notebooks and tells a progress listener.

Here the backend runs in this process and makes the facts up (no kernel): what is tested is the
seam that ``grader run``, ``grader check`` and a server share, not execution.
"""

from __future__ import annotations

from pathlib import Path

from grader.assignments import load
from grader.discovery import Submission
from grader.facts import NotebookFacts
from grader.grading import REFERENCE_KEY, grade_all
from grader.messages import Phrase, load_catalogue
from grader.run import make_context
from grader.schedule import Collected
from tests.mini_assignment import build_mini


class InProcess:
    """A backend with no workers: each notebook's facts at once; ``bia``'s worker "dies"."""

    def __init__(self) -> None:
        self.executed: list[list[str]] = []

    def where(self) -> Phrase:
        return Phrase("cli.run.where_jobs", {"jobs": 1})

    def execute(self, paths, context, catalogue, progress) -> None:
        self.executed.append(list(paths))
        progress.started(len(paths), list)
        for key in paths:
            died = catalogue("submission.worker_died", times=2) if key == "bia" else None
            progress.finished(key, NotebookFacts(sha256=key.strip("\0")[0] * 64, error=died), False)
        progress.ended()


def test_two_gradings_in_two_languages_on_one_backend_each_get_their_own(tmp_path):
    assignments, subs = build_mini(tmp_path)
    spec, registry = load("mini", assignments)
    context = make_context(spec, data_dir=tmp_path, store=None, no_store=True, cell_timeout=None, isolation="none")
    backend, heard = InProcess(), {}
    submissions = [Submission(name, subs / f"{name}.ipynb", f"{name}.ipynb") for name in ("ana", "bia")]
    results = {}
    for n, lang in enumerate(("pt", "en", "pt")):  # interleaved: the English run leaves nothing behind
        heard[lang] = Collected()
        graded, _ = grade_all(submissions, context, registry, load_catalogue(lang), backend, use_cache=False,
                              progress=heard[lang], warn=lambda line: None)
        results[f"{lang}{n}"] = {key: result for key, (result, _) in graded.items()}
    assert backend.executed[0] == [REFERENCE_KEY, "ana", "bia"]
    assert list(heard["en"].facts) == [REFERENCE_KEY, "ana", "bia"]
    assert results["pt0"]["bia"].status == "error" == results["en1"]["bia"].status
    assert "morreu" in results["pt0"]["bia"].error and "died" in results["en1"]["bia"].error
    assert results["pt2"] == results["pt0"] != results["en1"]
    assert results["pt0"]["ana"].max_score == results["en1"]["ana"].max_score > 0

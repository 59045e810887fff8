"""HTML feedback: one self-contained report per submission and a class overview.

Rendering is pure: it reads results and facts and returns HTML text; the caller writes
the files. Templates live in the top-level ``templates/`` folder and every
student-facing word comes from the message catalogue.
"""

from grader.report.common import Formatter, strip_ansi
from grader.report.dashboard import render_index
from grader.report.submission import render_submission_report

__all__ = ["Formatter", "render_index", "render_submission_report", "strip_ansi"]

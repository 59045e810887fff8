"""Who handed a file in, read from the names LMS "download all submissions" archives give.

Pure parsing, no disk access (the Gradescope metadata is parsed from its text):

* Moodle: ``Full Name_12345_assignsubmission_file_aluno.ipynb`` (flat) and
  ``Full Name_12345_assignsubmission_file/aluno.ipynb`` (one folder per student);
  12345 is the participant id (``Participant 12345`` in Moodle's grading worksheet).
* Canvas: ``sobrenomenome_12345_67890_aluno.ipynb`` (user id, then file id), with
  ``_late`` after the name for a late hand-in, and ``aluno-1.ipynb`` when the student
  uploaded a file of the same name before (Canvas's resubmission counter).
* Gradescope: an export holds ``submission_metadata.yml`` mapping each
  ``submission_<id>`` folder to its submitters (``:name:``, ``:sid:``, ``:email:``) and
  ``:created_at:``.

The LMS's own id becomes the submission id (a stable key across downloads, and what Canvas
and Moodle gradebooks match on); the student's name is kept for the reports.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from grader.serial import JsonData

MOODLE, CANVAS, GRADESCOPE = "moodle", "canvas", "gradescope"
GRADESCOPE_METADATA = "submission_metadata.yml"

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<file>.+))?$", re.S)
_CANVAS = re.compile(r"^(?P<name>[^_]+)(?P<late>_late)?_(?P<user>\d+)_(?P<file_id>\d+)_(?P<file>.+)$",
                     re.S | re.I)
_COUNTER = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<ext>\.[^.]+)$")


@dataclass(frozen=True)
class SubmissionSource(JsonData):
    """Where a submission came from: the LMS, the student's key and name, and what the LMS says.

    ``key`` is the LMS's id of the student (Moodle participant, Canvas user, Gradescope
    student id or e-mail); ``original`` the file or folder name as downloaded; ``file`` the
    student's own file name; ``attempt`` Canvas's resubmission counter (``aluno-2`` is 2);
    ``submitted_at`` an ISO 8601 time when the LMS records one.
    """

    lms: str
    key: str
    name: str = ""
    original: str = ""
    file: str = ""
    email: str = ""
    late: bool = False
    attempt: int = 0
    file_id: int | None = None
    submitted_at: str | None = None

    @property
    def recency(self) -> tuple:
        """Orders two hand-ins of one student: the greater is the later one."""
        return (self.submitted_at or "", self.file_id or 0, self.attempt)


def parse_moodle(name: str) -> SubmissionSource | None:
    """A Moodle file (``..._assignsubmission_file_aluno.ipynb``) or folder (``..._assignsubmission_file``)."""
    found = _MOODLE.match(name)
    if not found or not found["name"].strip():
        return None
    return SubmissionSource(MOODLE, found["id"], found["name"].strip(), name, found["file"] or "")


def parse_canvas(name: str) -> SubmissionSource | None:
    """A Canvas file: ``name[_late]_userid_fileid_file``, the file with its ``-N`` counter if any."""
    found = _CANVAS.match(name)
    if not found:
        return None
    file, attempt = found["file"], 0
    counter = _COUNTER.match(file)
    if counter:
        attempt = int(counter["n"])
    return SubmissionSource(CANVAS, found["user"], found["name"], name, file, late=bool(found["late"]),
                            attempt=attempt, file_id=int(found["file_id"]))


def parse_lms_name(name: str) -> SubmissionSource | None:
    """The student behind a downloaded file name, by Moodle's pattern then Canvas's; ``None`` for a plain name."""
    return parse_moodle(name) or parse_canvas(name)


class _RubyTolerantLoader(yaml.SafeLoader):
    """Safe YAML that reads Ruby-tagged values (``!ruby/hash:...``) as the plain data they hold."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_RubyTolerantLoader.add_multi_constructor("!", _untagged)


def _field(entry: dict, name: str):
    """A Gradescope key: written ``:name:`` by Ruby (the key ``:name``) or plain ``name``."""
    return entry.get(f":{name}", entry.get(name))


def _iso(value) -> str | None:
    """ISO 8601; an aware time in UTC, so that two of them compare as text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat() if value.utcoffset() is not None else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else None


def parse_gradescope_metadata(text: str) -> dict[str, SubmissionSource]:
    """``submission_metadata.yml`` of a Gradescope export: folder name -> its submission's source.

    The key is the first submitter's student id, else their e-mail, else the folder; a group's
    names are joined with " & ". Raises ``ValueError`` when the text is not such a file.
    """
    try:
        data = yaml.load(text, Loader=_RubyTolerantLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"{GRADESCOPE_METADATA} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{GRADESCOPE_METADATA} does not map submission folders to submitters")
    sources = {}
    for folder, entry in data.items():
        if not isinstance(entry, dict):
            continue
        submitters = [s for s in (_field(entry, "submitters") or []) if isinstance(s, dict)]
        first = submitters[0] if submitters else {}
        key = str(_field(first, "sid") or _field(first, "email") or folder).strip()
        names = " & ".join(str(_field(s, "name") or "").strip() for s in submitters if _field(s, "name"))
        number = re.search(r"(\d+)$", str(folder))
        sources[str(folder)] = SubmissionSource(
            GRADESCOPE, key, names, str(folder), email=str(_field(first, "email") or ""),
            file_id=int(number[1]) if number else None, submitted_at=_iso(_field(entry, "created_at")))
    return sources

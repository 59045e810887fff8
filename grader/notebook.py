"""Load and validate submissions, split them into sections, extract written answers.

A section starts at a markdown heading that matches a :class:`~grader.spec.SectionSpec`
regex (or at a cell tagged ``section:<id>``) and ends at the next heading of the same
or a higher level. Cells outside any graded section form ungraded segments, which are
still executed and harvested so that models are attributed to where they were built.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.errors import NotebookError
from grader.serial import valid_text
from grader.spec import Assignment

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)
ANSWER_TAG = "resposta:"
SECTION_TAG = "section:"
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
# a lone surrogate can reach a str only escaped: a UTF-8 file cannot hold one raw
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass(frozen=True)
class Segment:
    """A run of consecutive cells; ``section`` is the graded section id or None."""

    key: str
    title: str
    cells: tuple[int, ...]
    section: str | None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_notebook(path: Path) -> nbformat.NotebookNode:
    """Read and validate a notebook; any problem is a :class:`NotebookError` saying what."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookError(f"cannot read {path.name}: {exc.strerror}", "notebook_error.unreadable", name=path.name,
                            reason=exc.strerror) from None
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is {size // 2**20} MB; the limit is {MAX_NOTEBOOK_BYTES // 2**20} MB",
                            "notebook_error.too_large", name=path.name, mb=size // 2**20,
                            limit=MAX_NOTEBOOK_BYTES // 2**20)
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path.name} is not UTF-8 text (byte {exc.start})", "notebook_error.not_utf8",
                            name=path.name, byte=exc.start) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg})", "notebook_error.not_json",
                            name=path.name, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise NotebookError(f"{path.name} is JSON nested too deeply to be a notebook", "notebook_error.not_notebook",
                            name=path.name) from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise NotebookError(f"{path.name} is JSON but not a Jupyter notebook", "notebook_error.not_notebook",
                            name=path.name)
    try:
        if ESCAPED_SURROGATE.search(raw):  # text made valid UTF-8 here, once, for every step after
            raw = json.dumps(valid_text(data))
        nb = nbformat.reads(raw, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types for bad input
        detail = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"{path.name} is not a valid notebook: {detail}", "notebook_error.invalid",
                            name=path.name, detail=detail) from None
    language = nb.metadata.get("kernelspec", {}).get("language") or nb.metadata.get("language_info", {}).get("name")
    if language and str(language).lower() != "python":
        raise NotebookError(f"{path.name} is a '{language}' notebook; this assignment needs Python",
                            "notebook_error.language", name=path.name, language=str(language))
    return nb


def first_heading(source: str) -> tuple[int, str] | None:
    """(level, text) of the first markdown heading in ``source``, or None."""
    match = HEADING.search(source)
    return (len(match.group(1)), match.group(2)) if match else None


def _tagged_section(cell) -> str | None:
    for tag in cell.get("metadata", {}).get("tags", []):
        if isinstance(tag, str) and tag.startswith(SECTION_TAG):
            return tag[len(SECTION_TAG):]
    return None


def split_sections(nb, assignment: Assignment) -> list[Segment]:
    """Split the notebook's cells into ordered segments, graded or not."""
    segments: list[Segment] = []
    current: dict = {"section": None, "title": "", "level": 0, "cells": []}

    def close() -> None:
        if current["cells"]:
            key = current["section"] or f"_seg{len(segments)}"
            segments.append(Segment(key, current["title"], tuple(current["cells"]), current["section"]))

    for index, cell in enumerate(nb.cells):
        start = None
        tagged = _tagged_section(cell)
        heading = first_heading(cell.source) if cell.cell_type == "markdown" else None
        if tagged and assignment.section(tagged):
            start = (tagged, assignment.section(tagged).title, 1)
        elif heading:
            level, text = heading
            spec = next((s for s in assignment.sections if s.matches(text)), None)
            if spec is not None:
                start = (spec.id, text, level)
            elif current["section"] is None or level <= current["level"]:
                start = (None, text, level)
        if start is not None:
            close()
            current = {"section": start[0], "title": start[1], "level": start[2], "cells": []}
        current["cells"].append(index)
    close()
    return _unique_keys(segments)


def _unique_keys(segments: list[Segment]) -> list[Segment]:
    """A section that appears twice keeps its id; later segments get a suffix key."""
    seen: dict[str, int] = {}
    unique = []
    for seg in segments:
        count = seen.get(seg.key, 0)
        seen[seg.key] = count + 1
        unique.append(seg if count == 0 else Segment(f"{seg.key}~{count}", seg.title, seg.cells, seg.section))
    return unique


def normalize_text(text: str) -> str:
    """Lowercase, strip accents and collapse white space (for comparing prose)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def _answer_tag(cell) -> str | None:
    for tag in cell.get("metadata", {}).get("tags", []):
        if isinstance(tag, str) and tag.startswith(ANSWER_TAG):
            return tag[len(ANSWER_TAG):]
    return None


def _prose_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type in ("markdown", "raw")]


# The handout's placeholder for an answer ("**Sua resposta aqui:**"); never the student's words.
ANSWER_MARKER = re.compile(r"\**\s*(?:sua\s+resposta\s+aqui|your\s+answer\s+here)\s*:?\s*\**\s*:?", re.IGNORECASE)


def handout_lines(template) -> set[str]:
    """Every line of the handout's prose, normalized: questions and instructions, not answers."""
    return {normalize_text(line) for c in _prose_cells(template) for line in c.source.splitlines()
            if normalize_text(line)}


def own_text(source: str, handout: set[str]) -> str:
    """What the student wrote in a prose cell: lines that stand in the handout and the marker removed."""
    kept = []
    for line in source.splitlines():
        if normalize_text(line) in handout:
            continue
        line = ANSWER_MARKER.sub(" ", line).strip()
        if re.search(r"\w", line):
            kept.append(line)
    return "\n".join(kept).strip()


# A heading of the student's own over the questions they retyped ("## Desafio 2 — Perguntas"):
# the lines under it, up to the next heading, are questions, not answers
QUESTIONS_HEADING = re.compile(r"\b(perguntas|questoes|questions)\b")
ANSWERS_WORD = re.compile(r"\b(respostas?|answers?)\b")
# the same as a label at the start of a line ("**Perguntas:** ...", "Minhas respostas:")
QUESTIONS_LABEL = re.compile(r"^[\W_]*(perguntas|questoes|questions)[\W_]*:")
ANSWERS_LABEL = re.compile(r"^[\W_]*((sua|suas|minha|minhas|nossa|nossas|your|my|our)\s+)?(respostas?|answers?)\b")
# list numbering and letters ("1.", "2)", "a)") and the words of a label ("Suas respostas:",
# "Desafio 2", "R:"): a line made only of them answers nothing
LIST_MARKER = re.compile(r"(?<![\w.,])(?:\d{1,2}|[a-z])[.)](?!\w)")
LABEL_WORDS = frozenset("resposta respostas sua suas minha minhas nossa nossas answer answers your my our r "
                        "desafio parte questao item exercicio challenge question part do da de e".split())
# a heading that names the challenge or question ("## Desafio 2 — ...") titles the answer, it is not one
TITLE = re.compile(r"^[\W_]*(desafio|challenge|parte|part|exercicio|exercise|questao|question|pergunta)s?\b")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _is_label(line: str) -> bool:
    """True for a line that holds no answer: list numbers, a label, punctuation."""
    words = re.findall(r"\w+", LIST_MARKER.sub(" ", normalize_text(line)))
    if not words:
        return True
    return any(w in LABEL_WORDS for w in words) and all(
        w in LABEL_WORDS or (w.isdigit() and len(w) <= 2) for w in words)


def _without_questions(line: str) -> str:
    """The line without its sentences that are questions (they end in "?")."""
    return " ".join(part for part in SENTENCE_END.split(line) if not re.search(r"\?[\W_]*$", part)).strip()


def answer_text(source: str, handout: set[str]) -> str:
    """What answers a question in a prose cell: :func:`own_text` without what only asks or labels.

    A student who retypes the questions above the answers ("## Desafio 2 — Perguntas: ...
    por que o pooling não tem parâmetros treináveis? ### Suas respostas 1. 2.") answers
    nothing: a sentence that is a question, the lines under the student's own questions
    heading or label (up to the next heading or "Respostas" label), a heading naming the
    challenge ("## Desafio 2 — ..."), and lines made only of list numbers or labels are never
    answer text.
    """
    kept, under_questions = [], False
    for line in source.splitlines():
        heading = HEADING.match(line)
        plain = normalize_text(line)
        if heading:
            title = normalize_text(heading.group(2))
            under_questions = bool(QUESTIONS_HEADING.search(title)) and not ANSWERS_WORD.search(title)
            if TITLE.match(title):  # "## Desafio 2 — formato e parâmetros": the student's own title
                continue
        elif QUESTIONS_LABEL.match(plain):
            under_questions = True
        elif ANSWERS_LABEL.match(plain):
            under_questions = False
        if under_questions or normalize_text(line) in handout:
            continue
        line = _without_questions(ANSWER_MARKER.sub(" ", line).strip())
        if line and not _is_label(line):
            kept.append(line)
    return "\n".join(kept).strip()


POSITION = "@"  # ``answers["@d2-params"]``: the student's untagged text after that question, in order


def answer_anchors(template) -> tuple[dict[str, str], dict[str, str]]:
    """Where each tagged answer of the handout stands: ``(cell id -> key, question line -> key)``.

    The anchors of ``resposta:<key>`` are its answer cell and the prose cell just before it
    (the question), by cell id (Jupyter keeps ids when a student edits the handout), and
    the question's lines that stand nowhere else in the handout (a student who deleted and
    retyped the cells keeps the question's words).
    """
    by_id: dict[str, str] = {}
    question_lines: dict[str, list[str]] = {}
    cells = template.cells
    for index, cell in enumerate(cells):
        key = _answer_tag(cell)
        if key is None:
            continue
        by_id[str(cell.get("id") or "")] = key
        before = cells[index - 1] if index else None
        if before is not None and before.cell_type in ("markdown", "raw") and _answer_tag(before) is None \
                and not HEADING.search(before.source):
            by_id[str(before.get("id") or "")] = key
            question_lines[key] = [normalize_text(line) for line in before.source.splitlines() if normalize_text(line)]
    by_id.pop("", None)
    counts: dict[str, int] = {}
    for cell in _prose_cells(template):
        for line in {normalize_text(line) for line in cell.source.splitlines()}:
            counts[line] = counts.get(line, 0) + 1
    by_line = {line: key for key, lines in question_lines.items() for line in lines if counts.get(line) == 1}
    return by_id, by_line


def _anchor_of(cell, by_id: dict[str, str], by_line: dict[str, str]) -> str | None:
    key = by_id.get(str(cell.get("id") or ""))
    if key is not None:
        return key
    return next((by_line[n] for n in (normalize_text(line) for line in cell.source.splitlines()) if n in by_line),
                None)


def extract_answers(nb, template, segments: list[Segment]) -> dict[str, dict[str, str]]:
    """Written answers per section: ``{section: {answer_key: text, "@key": ..., "*": the student's own prose}}``.

    Text that stands in the handout (the questions, the instructions, the "Sua resposta
    aqui" marker) never counts as the student's answer, line by line, nor do questions the
    student retyped (:func:`answer_text`): a student who writes
    the answer under the question in the question's own cell keeps only the answer. A
    tagged answer cell (``resposta:<key>``) left as in the template counts as empty; the
    ``"*"`` entry holds the student's text in the section's untagged prose cells, so an
    answer written in a new cell or under the question is still found. ``"@<key>"`` holds
    the untagged text from that question on (its question or answer cell, see
    :func:`answer_anchors`) up to the next question: in a section with two questions, an
    untagged answer to each is told apart.
    """
    handout = handout_lines(template)
    by_id, by_line = answer_anchors(template)
    answers: dict[str, dict[str, str]] = {}
    for seg in segments:
        if seg.section is None:
            continue
        found = answers.setdefault(seg.section, {"*": ""})
        current = None  # the question the cells below belong to
        for index in seg.cells:
            cell = nb.cells[index]
            if cell.cell_type not in ("markdown", "raw"):
                continue
            text = answer_text(cell.source, handout)
            key = _answer_tag(cell)
            current = key or _anchor_of(cell, by_id, by_line) or current
            if key is not None:
                found[key] = (found.get(key, "") + "\n" + text).strip()
            elif text:  # another question's answer is not a fallback for this one
                found["*"] = (found["*"] + "\n" + text).strip()
                if current is not None:
                    found[POSITION + current] = (found.get(POSITION + current, "") + "\n" + text).strip()
    return answers


def template_answers(template) -> dict[str, str]:
    """The untouched text of each tagged answer cell of the template."""
    return {_answer_tag(c): c.source for c in _prose_cells(template) if _answer_tag(c)}


def code_signature(source: str) -> str:
    """Code with comments, blank lines and bare ``pass`` removed (what the student wrote)."""
    lines = [line.strip() for line in source.splitlines()]
    return "\n".join(l for l in lines if l and not l.startswith("#") and l != "pass")


def attempted_sections(nb, template, segments: list[Segment]) -> set[str]:
    """Sections where the student wrote code that is not already in the template."""
    given = {code_signature(c.source) for c in template.cells if c.cell_type == "code"}
    attempted = set()
    for seg in segments:
        for index in seg.cells:
            cell = nb.cells[index]
            if seg.section and cell.cell_type == "code":
                signature = code_signature(cell.source)
                if signature and signature not in given:
                    attempted.add(seg.section)
    return attempted

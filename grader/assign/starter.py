"""The starting ``assignment.toml`` of a master: one section per heading that holds a solution
(and per heading of the same numbered series: ``Parte 4`` beside ``Parte 1``-``3``, even when
it has nothing to write).

Each section gets the heading regex the course's specs use (``(?i)desafio\\s*3\\b`` for a
numbered heading, the heading's words otherwise; accents optional) and an ``executes``
check; the instructor adds the checks that give the points.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from grader.notebook import ANSWER_TAG, first_heading, normalize_text

NUMBERED = re.compile(r"(?P<word>[^\W\d_]+)\s+(?P<number>\d+)\b")


@dataclass(frozen=True)
class SectionDraft:
    """A section found in the master: its id, title, heading regex and written answers' keys."""

    id: str
    title: str
    heading: str
    answers: tuple[str, ...] = ()


def _plain(text: str) -> str:
    """A heading without markdown emphasis or code marks."""
    return re.sub(r"\s+", " ", re.sub(r"[*`]", "", text)).strip()


def slug(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", normalize_text(text)).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0]
    return words or "secao"


def _tolerant(word: str) -> str:
    """``word`` as a regex in which every accented letter may also be written without its accent."""
    parts = []
    for char in unicodedata.normalize("NFC", word):
        base = normalize_text(char)
        parts.append(f"[{base}{char}]" if base != char else re.escape(char))
    return "".join(parts)


def heading_pattern(text: str) -> tuple[str, str]:
    """(regex, id) for a section heading: ``Desafio 3: LeNet-5`` -> (``(?i)desafio\\s*3\\b``, ``desafio-3``)."""
    plain = _plain(text)
    numbered = NUMBERED.match(plain)
    if numbered:
        word, number = numbered["word"], numbered["number"]
        return rf"(?i){_tolerant(word.lower())}\s*{number}\b", slug(f"{word} {number}")
    head = plain.split(":")[0].strip() or plain
    return "(?i)" + r"\s+".join(_tolerant(w.lower()) for w in head.split()), slug(head)


def _headings(nb) -> list[tuple[int, int, str]]:
    """(cell index, level, text) of every markdown cell that starts with a heading."""
    found = []
    for index, cell in enumerate(nb.cells):
        heading = first_heading(cell.source) if cell.cell_type == "markdown" else None
        if heading:
            found.append((index, *heading))
    return found


def _answers(nb, start: int, level: int, headings) -> tuple[str, ...]:
    end = next((i for i, lvl, _ in headings if i > start and lvl <= level), len(nb.cells))
    return tuple(tag[len(ANSWER_TAG):] for cell in nb.cells[start:end]
                 for tag in cell.metadata.get("tags", []) if tag.startswith(ANSWER_TAG))


def _enclosing(nb, headings) -> list[dict[int, tuple[int, int, str]]]:
    """For each cell, the headings it sits under, by level (the nearest of each level above it)."""
    by_index = {h[0]: h for h in headings}
    current: dict[int, tuple[int, int, str]] = {}
    found = []
    for index in range(len(nb.cells)):
        if index in by_index:
            level = by_index[index][1]
            current = {lvl: h for lvl, h in current.items() if lvl < level}
            current[level] = by_index[index]
        found.append(dict(current))
    return found


def _series_word(text: str) -> str | None:
    numbered = NUMBERED.match(_plain(text))
    return normalize_text(numbered["word"]) if numbered else None


def _rest_of_series(headings, starts, level: int) -> list[tuple[int, int, str]]:
    """The headings at ``level`` numbered like the sections (``Parte 4`` beside ``Parte 1``-``3``)
    that hold no solution: a part with nothing to write is still a part of the assignment."""
    words = {_series_word(text) for _, _, text in starts} - {None}
    return [h for h in headings if h[1] == level and h not in starts and _series_word(h[2]) in words]


def draft_sections(nb, solution_cells: set[str]) -> list[SectionDraft]:
    """The sections of ``nb`` (the reference): the headings, at the level most solutions sit
    right under, that hold a solution cell, and the other headings of their numbered series."""
    headings = _headings(nb)
    enclosing = _enclosing(nb, headings)
    holders = [index for index, cell in enumerate(nb.cells) if cell.id in solution_cells and enclosing[index]]
    nearest = Counter(max(enclosing[index]) for index in holders)
    if not nearest:
        return []
    level = min(nearest, key=lambda lvl: (-nearest[lvl], lvl))
    starts: list[tuple[int, int, str]] = []
    for index in holders:
        heading = enclosing[index].get(level)
        if heading and heading not in starts:
            starts.append(heading)
    starts = sorted(starts + _rest_of_series(headings, starts, level))
    drafts, ids = [], set()
    for index, level, text in starts:
        pattern, sid = heading_pattern(text)
        if sum(1 for _, _, other in headings if re.search(pattern, other)) != 1:
            pattern = f"^{re.escape(text)}$"
        unique, n = sid, 2
        while unique in ids:
            unique, n = f"{sid}-{n}", n + 1
        ids.add(unique)
        drafts.append(SectionDraft(unique, _plain(text), pattern, _answers(nb, index, level, headings)))
    return drafts


def assignment_title(nb, default: str) -> str:
    headings = _headings(nb)
    first = next((text for _, level, text in headings if level == 1), headings[0][2] if headings else default)
    return _plain(first)


def _string(value: str) -> str:
    """A TOML string: literal ('...') for regexes when possible, basic otherwise."""
    if "'" not in value and "\n" not in value and "\\" in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def render_starter(*, assignment_id: str, title: str, notebook: str, reference: str,
                   sections: list[SectionDraft], master: str) -> str:
    """The text of the starting ``assignment.toml``."""
    lines = [
        f"# Starting spec written by `grader assign` from {master}: one section per heading that",
        "# holds a solution (or numbered like them: Parte 4 beside Parte 1-3), an `executes` check",
        "# each. Complete it with the checks that give the points (model_params, value, function,",
        "# answer_text, ...: README, \"The spec format\"), mark bonus sections with `bonus = true`;",
        "# `grader assignments` validates it.",
        "",
        "[assignment]",
        f"id = {_string(assignment_id)}",
        f"title = {_string(title)}",
        f"notebook = {_string(notebook)}",
        f"reference = {_string(reference)}",
    ]
    for section in sections:
        lines += ["", "[[sections]]", f"id = {_string(section.id)}", f"title = {_string(section.title)}",
                  f"heading = {_string(section.heading)}"]
    for section in sections:
        lines += ["", "[[checks]]", f"id = {_string(section.id + '-executa')}", f"section = {_string(section.id)}",
                  'kind = "executes"', "points = 1"]
        lines += [f'# written answer resposta:{key}: kind = "answer_text", answer = "{key}", numbers = [...]'
                  for key in section.answers]
    return "\n".join(lines) + "\n"

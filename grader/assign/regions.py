"""Solution regions of one master code cell: the handout's source and the reference's.

Markers (each alone on its line, at any indentation):

* ``### BEGIN SOLUTION`` … ``### END SOLUTION``: the reference keeps the lines; the handout
  gets the course's placeholder (``# Seu código aqui``) at the marker's indentation, with
  ``pass`` after it inside an indented block so that the handout still runs.
  ``### BEGIN SOLUTION: construa o modelo`` adds a hint: ``# Seu código aqui: construa o modelo``.
* ``### BEGIN SOLUTION NO PROMPT``: the lines go to the reference only, nothing replaces them.
* ``### BEGIN PROMPT`` … ``### END PROMPT``: lines for the handout only, written as comments so
  that the master runs as the reference (``# saida = None`` becomes ``saida = None``).

A line that looks like a marker but is not one (``# BEGIN SOLUTION``, ``### END SOLUTIONS``)
is an error, never copied: a mistyped marker would hand the solution to the students.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_PLACEHOLDER = "# Seu código aqui"
MARKER = re.compile(r"(?P<indent>[ \t]*)### (?P<edge>BEGIN|END) (?P<what>SOLUTION|PROMPT)"
                    r"(?P<rest>(?: NO PROMPT|:[^\n]*)?)[ \t]*")
LOOKALIKE = re.compile(r"(?i)\b(BEGIN|END)[ \t_-]*(SOLUTION|SOLU[CÇ][AÃ]O|PROMPT)")


class MarkerProblem(Exception):
    """A cell's markers cannot be read; ``key`` names the catalogue message, ``line`` is 1-based."""

    def __init__(self, key: str, line: int, marker: str) -> None:
        super().__init__(f"line {line}: {marker}")
        self.key, self.line, self.marker = key, line, marker


@dataclass(frozen=True)
class SplitSource:
    """One master cell's source as the handout and the reference have it."""

    handout: str
    reference: str
    regions: int  # solution regions found (``NO PROMPT`` ones included)
    prompted: bool  # some region or prompt put lines into the handout


@dataclass
class _Open:
    what: str  # "SOLUTION" | "PROMPT"
    indent: str
    line: int
    hint: str | None
    no_prompt: bool


def placeholder_lines(indent: str, hint: str | None = None) -> list[str]:
    """The handout's lines for one solution region at ``indent``."""
    text = CODE_PLACEHOLDER + (f": {hint}" if hint else "")
    return [indent + text] + ([indent + "pass"] if indent else [])


def uncomment(line: str, number: int) -> str:
    """A prompt line as the handout shows it: its first ``#`` (and one space after it) removed."""
    body = line.lstrip(" \t")
    if not body:
        return ""
    if not body.startswith("#"):
        raise MarkerProblem("usage.assign.prompt_not_comment", number, line.strip())
    text = body[1:]
    return line[: len(line) - len(body)] + (text[1:] if text.startswith(" ") else text)


def split_code(source: str) -> SplitSource:
    """Split one code cell's source at its markers; raise :class:`MarkerProblem` if unreadable."""
    handout: list[str] = []
    reference: list[str] = []
    current: _Open | None = None
    regions = 0
    prompted = False
    for number, line in enumerate(source.split("\n"), start=1):
        marker = MARKER.fullmatch(line)
        if marker is None:
            if line.lstrip().startswith("#") and LOOKALIKE.search(line):
                raise MarkerProblem("usage.assign.unknown_marker", number, line.strip())
            if current is None:
                handout.append(line)
                reference.append(line)
            elif current.what == "SOLUTION":
                reference.append(line)
            else:
                handout.append(uncomment(line, number))
                prompted = True
            continue
        edge, what, rest = marker["edge"], marker["what"], marker["rest"]
        if edge == "BEGIN":
            if current is not None:
                raise MarkerProblem("usage.assign.nested", number, line.strip())
            if what == "PROMPT" and rest:
                raise MarkerProblem("usage.assign.unknown_marker", number, line.strip())
            hint = (rest[1:].strip() or None) if rest.startswith(":") else None
            current = _Open(what, marker["indent"], number, hint, rest == " NO PROMPT")
            continue
        if current is None or current.what != what or rest:
            raise MarkerProblem("usage.assign.unopened", number, line.strip())
        if what == "SOLUTION":
            regions += 1
            if not current.no_prompt:
                handout.extend(placeholder_lines(current.indent, current.hint))
                prompted = True
        current = None
    if current is not None:
        raise MarkerProblem("usage.assign.unclosed", current.line, f"### BEGIN {current.what}")
    return SplitSource("\n".join(handout), "\n".join(reference), regions, prompted)

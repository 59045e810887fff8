"""What the report pages share: the Jinja environment, the formatter, status names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import jinja2

from grader.version import __version__
from grader.messages import Catalogue, join_items
from grader.serial import JsonData

# beside the package in a checkout; inside it in the student's wheel (grader.kit.wheel)
_PACKAGE_DIR = Path(__file__).parents[1]  # grader/
_PACKAGED_TEMPLATES = _PACKAGE_DIR / "templates"
TEMPLATES_DIR = _PACKAGED_TEMPLATES if _PACKAGED_TEMPLATES.is_dir() else _PACKAGE_DIR.parent / "templates"
STATUSES = ("passed", "failed", "partial", "review", "error", "skipped")
STUDENT_REVIEW_REASONS = ("section_by_structure",)
HISTOGRAM_BINS = 10
# CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences, as IPython writes them
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_LAYER_CLASS_KEYS = ("class_name", "class", "type")
# how the grader fed its test images to a model (EvaluationFacts.input_form) -> catalogue key
_INPUT_FORMS = (
    (re.compile(r"^(?P<form>28x28x1|28x28|flat784|channels_first)$"), None),
    (re.compile(r"^pad(?P<size>\d+)$"), "report.input_form.pad"),
    (re.compile(r"^resize(?P<height>\d+)(?:x(?P<width>\d+))?$"), "report.input_form.resize"),
    (re.compile(r"^reshape(?P<shape>[\dx]+)$"), "report.input_form.reshape"),
)
_THREE_CHANNELS = re.compile(r"_?x3$")


@dataclass(frozen=True)
class Partner(JsonData):
    """Another submission similar to one: for the dashboard column and the instructor's view.

    What the pages take from a run's similarity findings (``SimilarityFindings.partners()``).
    """

    other: str
    score: float
    flagged_by: tuple[str, ...]
    href: str  # the pair on similarity.html, relative to OUT


def strip_ansi(text: str | None) -> str:
    """Remove terminal escape codes (colours) from a traceback or error value."""
    return _ANSI.sub("", text or "")


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no usable temporary directory: templates are compiled each run
        return None


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    # compiled templates are kept in Jinja's per-user cache folder in the temporary directory
    # (keyed by each template's source): a re-check renders without compiling them again
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, fmt: "Formatter", **context: Any) -> str:
    """One page: the template with what every page uses (words, formatter, language, version)."""
    return template_environment().get_template(template).render(
        t=fmt.cat, fmt=fmt, lang=fmt.cat.lang.replace("_", "-"), version=__version__, **context)


def _is_shape(value: Any) -> bool:
    """A Keras shape: a sequence of ints and ``None`` (the batch axis is always ``None``)."""
    return (
        isinstance(value, (list, tuple))
        and None in value
        and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value)
    )


@dataclass(frozen=True)
class Formatter:
    """Locale-aware formatting of scores, numbers, shapes and JSON values for templates."""

    cat: Catalogue

    def score(self, value: float) -> str:
        value = round(float(value), 2)
        if value.is_integer():
            return self.cat.number(int(value))
        return self.cat.number(value, ",.2f").rstrip("0")

    def percent(self, part: float, whole: float) -> str:
        return self.cat.number(100.0 * part / whole, ".0f") + "%" if whole else "—"

    def seconds(self, value: float) -> str:
        return self.cat.number(float(value), ",.1f")

    def date(self, iso: str) -> str:
        """An ISO 8601 timestamp as a date a reader of this language reads (``6 de dezembro de 2026``)."""
        try:
            when = datetime.fromisoformat(str(iso))
        except ValueError:
            return str(iso)
        return self.cat("report.date", day=str(when.day), month=self.cat(f"report.month.{when.month}"),
                        year=str(when.year))

    def shape(self, value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, (list, tuple)):
            if value and all(isinstance(v, (list, tuple)) for v in value):
                return ", ".join(self.shape(v) for v in value)
            dims = ["None" if d is None else str(d) for d in value]
            return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
        return str(value)

    def value(self, value: Any) -> str:
        """One value on one line: numbers in the locale, shapes as tuples."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return self.cat("report.yes" if value else "report.no")
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        if isinstance(value, int):
            return self.cat.number(value)
        if isinstance(value, float):
            return self.cat.number(value, ",.2f" if abs(value) >= 1000 else ",.4g")
        if _is_shape(value):
            return self.shape(value)
        # "[4,3; 5; 3,4]": between numbers with a decimal comma, a comma would split 4,3
        if isinstance(value, (list, tuple)):
            return "[" + join_items([self.value(v) for v in value], self.cat.decimal) + "]"
        if isinstance(value, Mapping):
            return "{" + join_items([f"{k}: {self.value(v)}" for k, v in value.items()], self.cat.decimal) + "}"
        return str(value)

    def lines(self, value: Any) -> list[str]:
        """A value as display lines: one per item of a list of shapes, lists or mappings."""
        if isinstance(value, Mapping):
            return [f"{k}: {self.value(v)}" for k, v in value.items()]
        if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (list, tuple, Mapping)) for v in value
        ):
            return [self.value(v) for v in value]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return [", ".join(value) or "—"]
        return [self.value(value)]

    def layer(self, value: Any) -> str:
        """One side of a structure-diff row: ``Conv2D(filters=6, kernel_size=[5, 5])``."""
        if not isinstance(value, Mapping):
            return self.value(value)
        name = next((str(value[k]) for k in _LAYER_CLASS_KEYS if value.get(k)), "")
        attrs = [
            f"{k}={self.value(v)}"
            for k, v in value.items()
            if k not in _LAYER_CLASS_KEYS and k != "name" and v is not None
        ]
        return f"{name}({', '.join(attrs)})" if name else ", ".join(attrs)

    def label(self, group: str, key: str) -> str:
        """The catalogue's label ``group.key``, or ``key`` itself when there is none."""
        full = f"{group}.{key}"
        return self.cat.render(full) if full in self.cat.messages else str(key)

    def input_form(self, form: str) -> str:
        """``pad32`` -> "test images given as 32×32 with zero borders"; unknown forms by name."""
        text = self._known_form(form)
        if text is None and _THREE_CHANNELS.search(form):
            base = self._known_form(_THREE_CHANNELS.sub("", form))
            text = self.cat.render("report.input_form.gray3", {"form": base}) if base else None
        return text or self.cat.render("report.input_form_other", {"form": form})

    def _known_form(self, form: str) -> str | None:
        for pattern, key in _INPUT_FORMS:
            found = pattern.match(form)
            if found:
                params = {k: v for k, v in found.groupdict().items() if v is not None}
                if key is None:
                    return self.cat.render(f"report.input_form.{params['form']}")
                params.setdefault("width", params.get("height", ""))
                if "shape" in params:
                    params["shape"] = params["shape"].replace("x", "×")
                return self.cat.render(key, params)
        return None



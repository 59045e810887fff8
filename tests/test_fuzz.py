"""Property-based fuzzing (Hypothesis): no garbled input lets an exception escape its submission.

Garbled notebooks (random JSON, real notebooks with hostile cell sources: lone surrogates,
control characters, huge strings, broken nbformat), harvest manifests, written answers and
facts go through loading, section splitting, answer extraction, scoring, report rendering,
similarity and the writing of a run's outputs. A function documented to raise a named error
(``load_notebook``: :class:`NotebookError`) may raise it; nothing else may escape. No kernel
starts; the example counts are bounded so the file runs in seconds. How many inputs were tried
is printed at the end (``pytest -s``) and kept in ``FUZZ_COUNTS``.
"""

from __future__ import annotations

import collections
import copy
import json
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from grader.assignments import load
from grader.discovery import MAX_ID_BYTES, RUN_OUTPUTS, WINDOWS_DEVICES, discover, submission_id
from grader.errors import NotebookError
from grader.facts import CallbackFacts, CellRecord, LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.messages import load_catalogue
from grader.notebook import (attempted_sections, extract_answers, load_notebook, split_sections,
                             template_answers)
from grader.report import render_index, render_submission_report
from grader.results import RunResults
from grader.scoring import score_submission

ROOT = Path(__file__).resolve().parents[1]
FUZZ_COUNTS: collections.Counter[str] = collections.Counter()
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
SPECS = {name: load(name, ROOT / "assignments") for name in ("relu-exercicios", "cnn-pratica")}
TEMPLATES = {name: load_notebook(spec.notebook_path) for name, (spec, _) in SPECS.items()}
EXAMPLE = ROOT / "assignments" / "relu-exercicios" / "examples" / "01-correta.ipynb"
CAT = load_catalogue("pt")


@pytest.fixture(scope="module", autouse=True)
def _say_how_many(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nfuzz inputs tried: {sum(FUZZ_COUNTS.values())} ({dict(FUZZ_COUNTS)})")


# ---------------------------------------------------------------------- strategies
# what students and kernels put in text: lone surrogates, control characters, RTL marks, NUL, long runs
HOSTILE_CHARS = st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b[31m", "\u202e", "\ufeff", "\r", "\t", "#",
                                 "## Desafio 3", "resposta:", "{", "}", "{0}", "%s", "<script>", "é", "\U0001f600",
                                 "25.450", "-1e309", "nan", "\\", "'", '"', "\n"])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(HOSTILE_CHARS, st.text(max_size=5)), max_size=25).map("".join),
    st.builds(lambda c, n: c * n, HOSTILE_CHARS, st.integers(1000, 60_000)),  # huge strings
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT)
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(TEXT, inner, max_size=4)), max_leaves=20)


@st.composite
def garbled_notebooks(draw) -> str:
    """A notebook's text: a real one with hostile cells, random JSON, or broken nbformat."""
    kind = draw(st.sampled_from(["real", "random", "broken", "deep"]))
    if kind == "random":
        return json.dumps(draw(st.one_of(JSONISH, st.fixed_dictionaries({"cells": JSONISH}, optional={
            "metadata": JSONISH, "nbformat": SCALARS, "nbformat_minor": SCALARS}))))
    if kind == "deep":
        depth = draw(st.integers(10, 3000))
        return '{"cells": [], "metadata": {"x": ' + "[" * depth + "]" * depth + "}}"
    nb = nbformat.read(EXAMPLE, as_version=4)
    for cell in nb.cells:
        if draw(st.integers(0, 3)) == 0:
            cell.source = draw(TEXT)
        if draw(st.integers(0, 6)) == 0:
            cell.metadata["tags"] = draw(st.one_of(st.lists(st.one_of(TEXT, SCALARS), max_size=3), SCALARS))
    data = json.loads(json.dumps(nb))
    if kind == "broken":
        cell = draw(st.sampled_from(data["cells"]))
        key = draw(st.sampled_from(["cell_type", "source", "metadata", "outputs", "id", "execution_count"]))
        cell[key] = draw(JSONISH)
        if draw(st.booleans()):
            data[draw(st.sampled_from(["nbformat", "metadata", "cells"]))] = draw(JSONISH)
    return json.dumps(data)


def _assignment(name: str):
    return SPECS[name]


# ---------------------------------------------------------------------- loading, sections, answers
@settings(FUZZ, max_examples=100)
@given(text=garbled_notebooks(), spec_name=st.sampled_from(sorted(SPECS)))
def test_a_garbled_notebook_loads_or_is_a_notebook_error_and_splits_cleanly(tmp_path_factory, text, spec_name):
    FUZZ_COUNTS["notebooks"] += 1
    path = tmp_path_factory.mktemp("nb") / "aluno.ipynb"
    path.write_text(text, encoding="utf-8")
    try:
        nb = load_notebook(path)
    except NotebookError:
        return
    spec, _ = _assignment(spec_name)
    template = TEMPLATES[spec_name]
    segments = split_sections(nb, spec)
    answers = extract_answers(nb, template, segments)
    attempted_sections(nb, template, segments)
    template_answers(template)
    # every text a notebook gives is valid UTF-8 from here on
    json.dumps(answers, ensure_ascii=False).encode("utf-8")
    for cell in nb.cells:
        cell.source.encode("utf-8")


@settings(FUZZ, max_examples=30)
@given(texts=st.lists(garbled_notebooks(), min_size=2, max_size=3))
def test_similarity_compares_garbled_notebooks_or_skips_them(tmp_path_factory, texts):
    from grader.similarity.command import Notebook, compare_notebooks, read_handout, write_similarity

    FUZZ_COUNTS["similarity"] += 1
    folder = tmp_path_factory.mktemp("sim")
    notebooks = []
    for n, text in enumerate(texts):
        (folder / f"a{n}.ipynb").write_text(text, encoding="utf-8")
        notebooks.append(Notebook(f"a{n}", folder / f"a{n}.ipynb"))
    spec, _ = _assignment("relu-exercicios")
    findings = compare_notebooks(notebooks, read_handout(spec.notebook_path), spec.similarity)
    (folder / "out").mkdir()
    write_similarity(folder / "out", findings, CAT, "ReLU")


# ---------------------------------------------------------------------- ids from file names
@settings(FUZZ, max_examples=100)
@given(names=st.lists(st.one_of(TEXT.map(lambda t: t[:60]), st.sampled_from(sorted(RUN_OUTPUTS | WINDOWS_DEVICES))),
                      min_size=1, max_size=6))
def test_any_file_name_gives_a_unique_id_out_can_hold(tmp_path_factory, names):
    FUZZ_COUNTS["ids"] += 1
    ids = [submission_id(name) for name in names]
    out = tmp_path_factory.mktemp("out")
    for sub_id in ids:
        assert sub_id and not sub_id.startswith(".") and "/" not in sub_id and "\x00" not in sub_id
        assert len(sub_id.encode("utf-8")) <= MAX_ID_BYTES and sub_id.casefold() not in RUN_OUTPUTS
        (out / sub_id).mkdir(exist_ok=True)
    folder = tmp_path_factory.mktemp("subs")
    for name in names:  # as files: the names a file system takes
        safe = name.replace("/", "_").replace("\x00", "_").encode("utf-8", "replace")[:200].decode("utf-8", "ignore")
        if safe.strip() and safe not in (".", ".."):
            try:
                (folder / f"{safe}.ipynb").write_text("{}", encoding="utf-8")
            except (OSError, UnicodeEncodeError):
                continue
    found = [s.id for s in discover(folder).submissions]
    assert len({i.casefold() for i in found}) == len(found)


# ---------------------------------------------------------------------- manifests
@settings(FUZZ, max_examples=100)
@given(manifest=st.fixed_dictionaries({}, optional={"compat": JSONISH, "histories": JSONISH, "callbacks": JSONISH,
                                                     "values": JSONISH, "models": JSONISH}))
def test_garbled_manifest_entries_are_read_or_dropped(manifest):
    from grader.inspect import _read_callbacks, _read_compat, _read_histories

    FUZZ_COUNTS["manifests"] += 1
    compat = _read_compat(manifest.get("compat"))
    found: dict = {}
    _read_histories(manifest.get("histories"), found)
    callbacks = _read_callbacks(manifest.get("callbacks"))
    facts = NotebookFacts(sha256="0" * 64, compat=tuple(compat), sections=(
        SectionFacts("d1", "D1", callbacks=tuple(callbacks)),))
    NotebookFacts.from_json(json.loads(json.dumps(facts.to_json())))


# ---------------------------------------------------------------------- facts -> scoring -> reports
def _layers():
    return st.builds(LayerFacts, name=TEXT, class_name=st.sampled_from(["Dense", "Conv2D", "MaxPooling2D", "X"]),
                     params=st.integers(-5, 10**7), output_shape=st.lists(st.one_of(st.none(), st.integers(-2, 99)),
                                                                        max_size=4).map(tuple))


@st.composite
def hostile_facts(draw, spec_name: str) -> NotebookFacts:
    """Facts of the right types with hostile contents: the strings, values and notes a kernel may leave."""
    spec, _ = _assignment(spec_name)
    section_ids = [s.id for s in spec.sections] + ["_seg0", draw(TEXT)]
    sections = []
    for sid in draw(st.lists(st.sampled_from(section_ids), max_size=4, unique=True)):
        values = draw(st.dictionaries(st.one_of(st.sampled_from([c.params.get("variable", "x") for c in spec.checks
                                                                  if isinstance(c.params.get("variable"), str)]
                                                                 or ["x"]), TEXT), JSONISH, max_size=4))
        models = tuple(draw(st.lists(st.builds(
            ModelFacts, key=TEXT, section=st.just(sid), order=st.integers(0, 5), names=st.lists(TEXT, max_size=2).map(tuple),
            layers=st.lists(_layers(), max_size=4).map(tuple), total_params=st.integers(-1, 10**8),
            trainable_params=st.integers(0, 10**8), load_error=st.one_of(st.none(), TEXT)), max_size=2)))
        sections.append(SectionFacts(sid, draw(TEXT), cells=tuple(draw(st.lists(st.integers(0, 30), max_size=4))),
                                     models=models, values=values, answer_text=draw(TEXT),
                                     attempted=draw(st.booleans()), harvested=draw(st.booleans()),
                                     harvest_error=draw(st.one_of(st.none(), TEXT)),
                                     callbacks=tuple(draw(st.lists(st.builds(CallbackFacts, class_name=TEXT,
                                                                             attributes=st.dictionaries(TEXT, SCALARS,
                                                                                                        max_size=3)),
                                                                   max_size=2)))))
    cells = tuple(CellRecord(n, draw(st.sampled_from(section_ids + [None])),
                             draw(st.sampled_from(["ok", "error", "timeout", "skipped", "not_run", "??"])),
                             draw(st.one_of(st.none(), TEXT)), draw(st.one_of(st.none(), TEXT)),
                             draw(st.one_of(st.none(), TEXT)), draw(st.floats(0, 1e6)),
                             draw(st.one_of(st.none(), TEXT)))
                  for n in range(draw(st.integers(0, 5))))
    notes = tuple(draw(st.lists(st.dictionaries(st.sampled_from(["kind", "section", "cell", "model", "x"]), JSONISH,
                                                max_size=4), max_size=3)))
    compat = tuple(draw(st.lists(st.dictionaries(st.sampled_from(["kind", "name", "modern", "detail"]), JSONISH,
                                                 max_size=4), max_size=3)))
    calls = draw(st.dictionaries(st.sampled_from([c.id for c in spec.checks] + ["x"]), JSONISH, max_size=3))
    data = NotebookFacts(sha256="f" * 64, seconds=draw(st.floats(0, 1e9)), timed_out=draw(st.booleans()),
                         kernel_died=draw(st.booleans()), cells=cells, sections=tuple(sections),
                         error=draw(st.one_of(st.none(), st.none(), TEXT)), calls=calls, compat=compat,
                         review_notes=notes).to_json()
    return NotebookFacts.from_json(data)  # as the worker's facts arrive in the main process


@pytest.mark.parametrize("spec_name", sorted(SPECS))
def test_hostile_facts_are_scored_and_rendered(spec_name):
    spec, registry = _assignment(spec_name)
    reference = NotebookFacts(sha256="e" * 64)

    @settings(FUZZ, max_examples=25)
    @given(facts=hostile_facts(spec_name))
    def check(facts):
        FUZZ_COUNTS[f"facts:{spec_name}"] += 1
        result = score_submission(submission_id="aluno", path="aluno.ipynb", assignment=spec, facts=facts,
                                  reference=reference, registry=registry, catalogue=CAT)
        for hidden in (False, True):
            page = render_submission_report(result, spec, CAT, facts, reference, show_hidden=hidden)
            page.encode("utf-8")
        from grader.outputs import assignment_info

        run = RunResults("0", assignment_info(spec), (result,))
        render_index(run, CAT, {"aluno": "aluno/report.html"}).encode("utf-8")
        json.dumps(run.to_json(), ensure_ascii=False).encode("utf-8")

    check()


@settings(FUZZ, max_examples=15)
@given(facts=hostile_facts("relu-exercicios"), answer=TEXT)
def test_a_run_writes_every_output_whatever_the_facts(tmp_path_factory, facts, answer):
    """The isolation net under everything: facts and answers of any content, every output written."""
    from grader.discovery import Submission
    from grader.outputs import write_outputs
    from grader.run import score_isolated

    FUZZ_COUNTS["outputs"] += 1
    spec, registry = _assignment("relu-exercicios")
    out = tmp_path_factory.mktemp("out")
    graded = {}
    for n, sub_facts in enumerate((facts, copy.deepcopy(facts))):
        sub = Submission(f"a{n}", Path(f"a{n}.ipynb"), f"a{n}.ipynb")
        sections = tuple(type(s)(**{**s.__dict__, "answer_text": answer}) for s in sub_facts.sections)
        sub_facts = type(sub_facts)(**{**sub_facts.__dict__, "sections": sections})
        graded[sub.id] = score_isolated(sub, sub_facts, NotebookFacts(sha256="e" * 64), spec, registry, CAT, False)
    written = write_outputs(out, spec, graded, None, "pt")
    assert len(written.submissions) == 2
    json.loads((out / "results.json").read_text(encoding="utf-8"))
    for name in ("grades.csv", "index.html", "a0/report.html", "a1/report-professor.html"):
        assert (out / name).is_file()


# ---------------------------------------------------------------------- what the fuzzer found
def test_a_review_note_whose_section_is_not_a_string_is_scored():
    """Found by the fuzzer: a note's section was a dictionary key (TypeError: unhashable type: 'list')."""
    spec, registry = _assignment("relu-exercicios")
    facts = NotebookFacts.from_json({"sha256": "f" * 64, "review_notes": [{"kind": "x", "section": ["a"]}],
                                     "compat": [{"kind": "magic", "name": ["%%time"]}]})
    result = score_submission(submission_id="aluno", path="aluno.ipynb", assignment=spec, facts=facts,
                              reference=NotebookFacts(sha256="e" * 64), registry=registry, catalogue=CAT)
    assert [i.section for i in result.review if i.reason == "x"] == ["['a']"]
    assert [w.kind for w in result.warnings] == ["magic"]

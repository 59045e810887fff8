"""``compile_config``: a model of the section was compiled with the expected optimizer and loss.

Read from the ``compile_config`` of the exported model, so it states what ``compile`` was
really given: the optimizer class, its hyperparameters (``learning_rate``, ``momentum``,
``nesterov``, ``beta_1``, ...) and the loss. Each stated item is worth the same share of the
points, provided the optimizer class is right (another optimizer earns nothing); the
section's compiled model matching the most items is the one judged.
"""

from __future__ import annotations

import math
from typing import Any

from grader.checks.base import Outcome, check_kind, failed, partial
from grader.checks.structure import tampering_outcome
from grader.facts import ModelFacts, NotebookFacts
from grader.spec import CheckSpec

DEFAULT_REL_TOL = 1e-6  # Keras keeps learning rates as float32


def canonical(name: str | None) -> str:
    """``SparseCategoricalCrossentropy`` and ``sparse_categorical_crossentropy`` alike."""
    return (name or "").replace("_", "").replace(" ", "").lower()


def same_setting(got: Any, want: Any, rel_tol: float) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=rel_tol, abs_tol=1e-12)
    if isinstance(want, str) and isinstance(got, str):
        return canonical(got) == canonical(want)
    return got == want


def _items(model: ModelFacts, check: CheckSpec) -> list[dict[str, Any]]:
    """One row per stated item: what was wanted, what the model has, whether they agree."""
    compiled = model.compiled
    rel_tol = float(check.param("rel_tol", DEFAULT_REL_TOL))
    optimizer = compiled.optimizer if compiled else None
    rows = [{"item": "optimizer", "expected": check.param("optimizer"), "actual": optimizer,
             "ok": canonical(optimizer) == canonical(check.param("optimizer"))}]
    settings = compiled.optimizer_config if compiled else {}
    for key, want in (check.param("optimizer_config") or {}).items():
        got = settings.get(key)
        rows.append({"item": key, "expected": want, "actual": got, "ok": key in settings and same_setting(got, want, rel_tol)})
    if check.param("loss") is not None:
        losses = compiled.loss if compiled else ()
        want = check.param("loss")
        rows.append({"item": "loss", "expected": want, "actual": ", ".join(losses) or None,
                     "ok": any(canonical(n) == canonical(want) for n in losses)})
    return rows


def setting_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).lower() if isinstance(value, bool) else str(value)


@check_kind("compile_config", required=("optimizer",), optional=("optimizer_config", "loss", "rel_tol"),
            evaluation=False, states_expected=True, kit=True, live=True)
def check_compile_config(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Share of stated items (optimizer class, each hyperparameter, loss) the model matches."""
    tampered = tampering_outcome(student, check.section)
    if tampered is not None:
        return tampered
    models = [m for m in student.models_of(check.section) if m.loaded]
    if not models:
        return failed("model.none_found", params={"section": check.section})
    compiled = [m for m in models if m.compiled is not None]
    if not compiled:
        return failed("compile_config.not_compiled", params={"optimizer": check.param("optimizer")})
    scored = [(sum(r["ok"] for r in _items(m, check)), m.order, m) for m in compiled]
    _, _, model = max(scored, key=lambda t: (t[0], t[1]))
    rows = _items(model, check)
    met = sum(r["ok"] for r in rows)
    wrong = [r for r in rows if not r["ok"]]
    params = {"model": ", ".join(model.names) or "?", "optimizer": model.compiled.optimizer or "?",
              "met": met, "total": len(rows),
              "wrong": "; ".join(f"{r['item']}: {setting_text(r['actual'])} ≠ {setting_text(r['expected'])}" for r in wrong)}
    shown = dict(expected={r["item"]: r["expected"] for r in rows}, actual={r["item"]: r["actual"] for r in rows},
                 details={"model": list(model.names), "items": rows})
    if not rows[0]["ok"]:  # hyperparameters of another optimizer class mean something else
        params["expected_optimizer"] = check.param("optimizer")
        return failed("compile_config.wrong_optimizer", params=params, **shown)
    return partial(met / len(rows), "compile_config.passed" if not wrong else "compile_config.partial",
                   params=params, **shown)

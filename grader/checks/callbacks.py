"""``callbacks``: the section trained with the required Keras callbacks, configured as stated.

Each entry of ``require`` names a callback class (a subclass counts) and settings that must
be equal, e.g. ``{ class = "EarlyStopping", monitor = "val_loss" }``. A callback counts
only if ``fit`` used it in the section (the kernel records every callback ``fit`` attaches
to a model, inline ones included). Each required callback is worth the same share.
"""

from __future__ import annotations

from typing import Any

from grader.checks.base import Outcome, check_kind, partial
from grader.checks.compile_config import same_setting, setting_text, canonical
from grader.facts import CallbackFacts, NotebookFacts
from grader.spec import CheckSpec

DEFAULT_REL_TOL = 1e-6


def _is_a(callback: CallbackFacts, name: str) -> bool:
    return any(canonical(c) == canonical(name) for c in (callback.class_name, *callback.keras_classes))


def _differences(callback: CallbackFacts, settings: dict[str, Any], rel_tol: float) -> list[str]:
    return [f"{key}: {setting_text(callback.attributes.get(key))} ≠ {setting_text(want)}" for key, want in settings.items()
            if key not in callback.attributes or not same_setting(callback.attributes[key], want, rel_tol)]


def _judge(required: dict[str, Any], callbacks: tuple[CallbackFacts, ...], rel_tol: float) -> dict[str, Any]:
    """How one required callback fares: ``ok`` and, if not, the closest miss."""
    name = str(required["class"])
    settings = {k: v for k, v in required.items() if k != "class"}
    same_class = [c for c in callbacks if _is_a(c, name)]
    used = [c for c in same_class if c.used]
    if not same_class:
        return {"class": name, "ok": False, "problem": "missing"}
    if not used:
        return {"class": name, "ok": False, "problem": "unused"}
    misses = sorted((_differences(c, settings, rel_tol) for c in used), key=len)
    if not misses[0]:
        return {"class": name, "ok": True}
    return {"class": name, "ok": False, "problem": "settings", "differences": misses[0]}


def _valid(require: Any) -> bool:
    return (isinstance(require, list) and bool(require)
            and all(isinstance(r, dict) and isinstance(r.get("class"), str) for r in require))


@check_kind("callbacks", required=("require",), optional=("rel_tol",), evaluation=False, states_expected=True,
            kit=True)
def check_callbacks(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Share of the required callbacks that ``fit`` used with the stated settings."""
    require = check.param("require")
    if not _valid(require):
        return Outcome("error", 0.0, "check_param.invalid", params={"name": "require", "value": str(require)})
    section = student.section(check.section)
    callbacks = section.callbacks if section else ()
    rel_tol = float(check.param("rel_tol", DEFAULT_REL_TOL))
    rows = [_judge(r, callbacks, rel_tol) for r in require]
    met = sum(r["ok"] for r in rows)
    problems = {kind: ", ".join(r["class"] for r in rows if r.get("problem") == kind)
                for kind in ("missing", "unused")}
    settings = "; ".join(f"{r['class']} ({', '.join(r['differences'])})" for r in rows if r.get("problem") == "settings")
    params = {"met": met, "total": len(rows), "classes": ", ".join(r["class"] for r in rows),
              "missing": problems["missing"] or "—", "unused": problems["unused"] or "—", "settings": settings or "—"}
    details = {"required": rows, "found": [{"class": c.class_name, "used": c.used} for c in callbacks]}
    key = "callbacks.passed" if met == len(rows) else "callbacks.partial"
    return partial(met / len(rows), key, params=params, details=details,
                   expected=[r["class"] for r in rows], actual=[c.class_name for c in callbacks if c.used])

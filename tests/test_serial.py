"""JSON round trip of the frozen dataclasses that cross module boundaries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from grader.serial import JsonData, to_plain


@dataclass(frozen=True)
class Point(JsonData):
    x: int
    y: int


@dataclass(frozen=True)
class Shape(JsonData):
    name: str
    points: tuple[Point, ...] = ()
    centre: Optional[Point] = None
    corner: Point | None = None
    dims: tuple[int, ...] | None = None
    labels: dict[str, Point] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    anything: Any = None


@dataclass(frozen=True)
class Drawing(JsonData):
    shapes: tuple[Shape, ...]
    by_name: dict[str, tuple[Point, ...]] = field(default_factory=dict)
    title: str = "sem título"


def through_json(obj):
    return type(obj).from_json(json.loads(json.dumps(obj.to_json())))


FULL = Shape(
    "triângulo",
    points=(Point(0, 0), Point(3, 0), Point(0, 4)),
    centre=Point(1, 1),
    corner=Point(3, 4),
    dims=(3, 4),
    labels={"a": Point(0, 0)},
    extra={"pesos": [1, 2], "meta": {"ok": True}},
    anything=[1, "dois"],
)


def test_to_json_is_plain_json():
    data = FULL.to_json()
    assert data["points"] == [{"x": 0, "y": 0}, {"x": 3, "y": 0}, {"x": 0, "y": 4}]
    assert data["centre"] == {"x": 1, "y": 1} and data["dims"] == [3, 4]
    assert json.loads(json.dumps(data)) == data


def test_nested_round_trip_rebuilds_dataclasses_and_tuples():
    back = through_json(FULL)
    assert back == FULL
    assert isinstance(back.points, tuple) and all(isinstance(p, Point) for p in back.points)
    assert isinstance(back.centre, Point) and isinstance(back.corner, Point)
    assert back.dims == (3, 4) and isinstance(back.dims, tuple)


def test_optional_fields_left_empty():
    empty = Shape("vazio")
    back = through_json(empty)
    assert back == empty
    assert back.centre is None and back.corner is None and back.dims is None


def test_dict_fields_rebuild_their_values():
    back = through_json(FULL)
    assert isinstance(back.labels["a"], Point)
    assert back.extra == {"pesos": [1, 2], "meta": {"ok": True}}


def test_dict_of_tuples_of_dataclasses():
    drawing = Drawing((FULL, Shape("ponto")), by_name={"eixo": (Point(0, 0), Point(1, 0))})
    back = through_json(drawing)
    assert back == drawing
    assert isinstance(back.by_name["eixo"], tuple) and isinstance(back.by_name["eixo"][1], Point)


def test_missing_keys_take_defaults():
    assert Drawing.from_json({"shapes": []}) == Drawing(())


def test_to_plain_stringifies_mapping_keys():
    assert to_plain({1: (Point(1, 2),)}) == {"1": [{"x": 1, "y": 2}]}


def test_facts_from_a_kernel_are_made_valid_utf8():
    """A kernel's facts.json may carry "\\ud800" escaped (a string value, an error): no writer takes it."""
    from grader.facts import NotebookFacts

    data = json.loads('{"sha256": "' + "0" * 64 + '", "error": "x \\ud800", "sections": [{"id": "d1", "title": "t",'
                      ' "values": {"nome\\udfff": "\\ud83d\\ude00 \\udc00"}, "answer_text": "a\\ud800"}]}')
    facts = NotebookFacts.from_json(data)
    assert facts.error == "x \ufffd"
    assert facts.sections[0].values == {"nome\ufffd": "\U0001f600 \ufffd"}  # a valid pair stays one character
    json.dumps(facts.to_json(), ensure_ascii=False).encode("utf-8")

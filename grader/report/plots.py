"""Inline SVG plots for the report: learning curves and confusion matrices.

Hand-written SVG: a few kilobytes per plot, no JavaScript, no network, the same bytes for
the same numbers (the tests compare pages). Every word comes from the catalogue.
"""

from __future__ import annotations

from html import escape
from typing import Mapping, Sequence

from markupsafe import Markup

from grader.messages import Catalogue

ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")
TRAIN_COLOUR, VALIDATION_COLOUR, CELL_COLOUR = "#0b5cad", "#c2410c", (11, 92, 173)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 320, 190, 52, 12, 28, 34


def _num(value: float) -> str:
    """A coordinate, short and deterministic."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def curve_pairs(history: Mapping[str, Sequence[float | None]]) -> list[tuple[str, str | None, str | None]]:
    """``(metric, train key, validation key)`` for loss and accuracy, those the history has."""
    pairs = []
    accuracy = next((k for k in ACCURACY_KEYS if k in history or f"val_{k}" in history), None)
    for metric, key in (("loss", "loss"), ("accuracy", accuracy)):
        if key is None:
            continue
        train = key if history.get(key) else None
        validation = f"val_{key}" if history.get(f"val_{key}") else None
        if train or validation:
            pairs.append((metric, train, validation))
    return pairs


# what a metric's values can be: the axis never runs past them (an accuracy to 1,15)
METRIC_BOUNDS = {"loss": (0.0, None), "accuracy": (0.0, 1.0)}


def axis_range(numbers: Sequence[float], bounds: tuple[float | None, float | None] = (None, None)) -> tuple[float, float]:
    """The lowest and highest value of the axis: the values' range, widened around a single value,
    never beyond what the metric can be (``bounds``, when the values respect them)."""
    low, high = min(numbers), max(numbers)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    floor, ceiling = bounds
    if floor is not None and min(numbers) >= floor:
        low = max(low, floor)
    if ceiling is not None and max(numbers) <= ceiling:
        high = min(high, ceiling)
    return low, high


def _polylines(values: Sequence[float | None], x, y, colour: str, dashed: bool, label=None) -> list[str]:
    """One polyline per run of numbers (a NaN epoch breaks the line); a lone epoch is a dot, labelled
    with its value (``label``) when the whole series is that one dot."""
    runs, run = [], []
    for epoch, value in enumerate(values):
        if value is None:
            runs, run = runs + [run] if run else runs, []
        else:
            run.append((x(epoch), y(value)))
    runs += [run] if run else []
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    out = []
    lone = [v for v in values if v is not None]
    for points in runs:
        if len(points) == 1:
            out.append(f'<circle cx="{_num(points[0][0])}" cy="{_num(points[0][1])}" r="2.5" fill="{colour}"/>')
            if label is not None and len(lone) == 1:
                out.append(f'<text x="{_num(points[0][0] + 6)}" y="{_num(points[0][1] + 3)}" class="tick point-label" '
                           f'fill="{colour}">{escape(label(lone[0]))}</text>')
        else:
            coords = " ".join(f"{_num(a)},{_num(b)}" for a, b in points)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    return out


def learning_curve_svg(title: str, train: Sequence[float | None] | None, validation: Sequence[float | None] | None,
                       cat: Catalogue, bounds: tuple[float | None, float | None] = (None, None)) -> Markup:
    """One metric over the epochs: training solid, validation dashed, min and max on the axis
    (within ``bounds``, what the metric can be)."""
    series = [s for s in (train, validation) if s]
    numbers = [v for s in series for v in s if v is not None]
    if not numbers:
        return Markup("")
    epochs = max(len(s) for s in series)
    low, high = axis_range(numbers, bounds)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(epoch: int) -> float:
        return LEFT + (plot_w * epoch / (epochs - 1) if epochs > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    number = (lambda v: cat.number(float(v), ".3g"))
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="plot" role="img" '
        f'aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="16" class="plot-title">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#f6f8fa" stroke="#d8dee4"/>',
        f'<text x="{LEFT - 4}" y="{_num(TOP + 4)}" text-anchor="end" class="tick">{escape(number(high))}</text>',
        f'<text x="{LEFT - 4}" y="{_num(TOP + plot_h)}" text-anchor="end" class="tick">{escape(number(low))}</text>',
        *([f'<text x="{LEFT}" y="{TOP + plot_h + 14}" class="tick">1</text>',
           f'<text x="{LEFT + plot_w}" y="{TOP + plot_h + 14}" text-anchor="end" class="tick">{epochs}</text>']
          if epochs > 1 else [f'<text x="{_num(x(0))}" y="{TOP + plot_h + 14}" text-anchor="middle" class="tick">1</text>']),
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 4}" text-anchor="middle" class="tick">'
        f'{escape(cat("report.curve_epoch"))}</text>',
    ]
    for values, colour, dashed in ((train, TRAIN_COLOUR, False), (validation, VALIDATION_COLOUR, True)):
        if values:
            parts += _polylines(values, x, y, colour, dashed, number)
    legend_x = WIDTH - RIGHT
    for values, colour, key, dy in ((train, TRAIN_COLOUR, "report.curve_train", 0),
                                    (validation, VALIDATION_COLOUR, "report.curve_validation", 12)):
        if values:
            parts.append(f'<text x="{legend_x}" y="{10 + dy}" text-anchor="end" class="tick" fill="{colour}">'
                         f'{"—" if colour == TRAIN_COLOUR else "- -"} {escape(cat(key))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def learning_curves(history: Mapping[str, Sequence[float | None]], cat: Catalogue) -> list[Markup]:
    """The loss and accuracy plots of a model's fit history (none when it was never fitted)."""
    titles = {"loss": cat("report.curve_loss"), "accuracy": cat("report.curve_accuracy")}
    plots = [learning_curve_svg(titles[metric], history.get(train) if train else None,
                                history.get(validation) if validation else None, cat, METRIC_BOUNDS[metric])
             for metric, train, validation in curve_pairs(history)]
    return [p for p in plots if p]


def _cell_fill(share: float) -> tuple[str, str]:
    """Background and text colour of a heatmap cell holding ``share`` of its row."""
    red, green, blue = CELL_COLOUR
    alpha = max(0.0, min(1.0, share))
    fill = f"rgba({red},{green},{blue},{alpha:.2f})" if alpha > 0 else "#ffffff"
    return fill, "#ffffff" if alpha > 0.5 else "#1f2328"


def confusion_svg(matrix: Sequence[Sequence[int]], labels: Sequence[str], cat: Catalogue,
                  positive: Sequence[int] = (), title: str = "") -> Markup:
    """A heatmap (rows: true class, columns: predicted; shaded by share of the row), counts in cells.

    Classes of ``positive`` are marked ● on both axes, for a binarization question. A matrix
    one column wider than tall has an "outra classe" column: predictions outside the classes.
    """
    size = len(matrix)
    columns = len(matrix[0]) if size else 0
    if not size or columns not in (size, size + 1) or any(len(row) != columns for row in matrix):
        return Markup("")
    cell, left, top = 30, 92, 92
    width, height = left + columns * cell + 8, top + size * cell + 24
    marked = [("● " if i in positive else "") + labels[i] if i < len(labels) else str(i) for i in range(size)]
    heads = marked + [cat("report.confusion_other")] * (columns - size)
    parts = [f'<svg viewBox="0 0 {width} {height}" class="plot heatmap" '
             f'role="img" aria-label="{escape(title or cat("report.confusion_title"))}">',
             f'<text x="{left}" y="12" class="tick">{escape(cat("report.confusion_predicted"))} →</text>',
             f'<text x="4" y="{top - 6}" class="tick">{escape(cat("report.confusion_true"))} ↓</text>']
    for j, label in enumerate(heads):
        cx = left + j * cell + cell / 2
        weight = ' font-weight="700"' if j in positive else ""
        parts.append(f'<text transform="translate({_num(cx + 3)},{top - 4}) rotate(-60)" class="tick"{weight}>'
                     f'{escape(label)}</text>')
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        weight = ' font-weight="700"' if i in positive else ""
        parts.append(f'<text x="{left - 4}" y="{top + i * cell + cell / 2 + 4:.0f}" text-anchor="end" '
                     f'class="tick"{weight}>{escape(marked[i])}</text>')
        for j, count in enumerate(row):
            fill, ink = _cell_fill(count / total)
            x, y = left + j * cell, top + i * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#d8dee4"/>')
            if count:
                parts.append(f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 + 3:.0f}" text-anchor="middle" '
                             f'class="count" fill="{ink}">{escape(cat.number(int(count)))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def binary_svg(numbers: Mapping[str, int], cat: Catalogue) -> Markup:
    """The 2×2 matrix of a binarization: rows true negative/positive, columns predicted."""
    if not all(isinstance(numbers.get(k), (int, float)) for k in ("TN", "FP", "FN", "TP")):
        return Markup("")
    cell, left, top = 78, 74, 40
    width, height = left + 2 * cell + 8, top + 2 * cell + 8
    names = (cat("report.confusion_negative"), cat("report.confusion_positive"))
    total = sum(int(numbers[k]) for k in ("TN", "FP", "FN", "TP")) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" class="plot binary" '
             f'role="img" aria-label="{escape(cat("report.confusion_binary_title"))}">',
             f'<text x="{left}" y="12" class="tick">{escape(cat("report.confusion_predicted"))} →</text>']
    for j, name in enumerate(names):
        parts.append(f'<text x="{left + j * cell + cell / 2:.0f}" y="{top - 6}" text-anchor="middle" class="tick">'
                     f'{escape(name)}</text>')
    for i, (name, keys) in enumerate(((names[0], ("TN", "FP")), (names[1], ("FN", "TP")))):
        parts.append(f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4:.0f}" text-anchor="end" class="tick">'
                     f'{escape(name)}</text>')
        for j, key in enumerate(keys):
            value = int(numbers[key])
            fill, ink = _cell_fill(2 * value / total if key in ("TN", "TP") else value / total)
            x, y = left + j * cell, top + i * cell
            parts += [f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#d8dee4"/>',
                      f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 - 4:.0f}" text-anchor="middle" class="count" '
                      f'fill="{ink}" font-weight="700">{key}</text>',
                      f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 + 12:.0f}" text-anchor="middle" class="count" '
                      f'fill="{ink}">{escape(cat.number(value))}</text>']
    parts.append("</svg>")
    return Markup("".join(parts))

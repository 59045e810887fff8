"""The spec's ``[similarity]`` table: fingerprint sizes and the levels at which a pair is listed.

Defaults were measured on the course's examples (see README, "Similar submissions"):
independently written solutions share at most 18% of their own code and no run longer
than 38 tokens, untouched handouts have no own code at all, and two students who filled the
same handout cells with the same short one-liners share runs of at most 51 tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from grader.serial import JsonData


@dataclass(frozen=True)
class SimilaritySettings(JsonData):
    """How submissions are compared; every key of ``[similarity]`` is optional.

    ``k`` and ``window`` are copydetect's noise threshold and winnowing window: shared code
    shorter than ``k`` tokens never counts, and any shared run of ``k + window - 1`` tokens
    is always found. A pair is listed when the shared part covers at least ``threshold`` of
    either student's own code and its longest shared run is at least ``min_run`` tokens long
    (``text_*``: the same for written answers, in characters).
    """

    enabled: bool = True
    k: int = 25
    window: int = 6
    threshold: float = 0.5
    min_run: int = 80
    text_k: int = 40
    text_window: int = 10
    text_threshold: float = 0.5
    text_min_run: int = 150
    # fingerprints in more than this share of the submissions (and in more than COMMON_FLOOR
    # of them) are what the whole class writes, not a copy: they are ignored
    common_share: float = 0.5


SHARES = ("threshold", "text_threshold", "common_share")
COUNTS = ("k", "window", "min_run", "text_k", "text_window", "text_min_run")
KEYS = tuple(f.name for f in fields(SimilaritySettings))


def parse_similarity(table: object) -> SimilaritySettings:
    """The ``[similarity]`` table as settings; a bad key or value raises ``ValueError`` saying which."""
    if not isinstance(table, dict):
        raise ValueError("must be a table of keys, e.g. threshold = 0.5")
    for key in table:
        if key not in KEYS:
            raise KeyError(key)
    for key, value in table.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise ValueError(f"'enabled' must be true or false, got {value!r}")
        elif key in SHARES:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"'{key}' must be a share between 0 and 1 (e.g. 0.5), got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"'{key}' must be a whole number of at least 1, got {value!r}")
    return SimilaritySettings(**{k: (float(v) if k in SHARES else v) for k, v in table.items()})

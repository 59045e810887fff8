"""The server's own pages (Jinja templates in ``grader/serve/templates``), in the reader's language."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

from grader.version import __version__
from grader.messages import Catalogue
from grader.report.common import Formatter


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("grader.serve", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, catalogue: Catalogue, **context: Any) -> str:
    """One page of the server: the template with the words, numbers and language of ``catalogue``."""
    return environment().get_template(template).render(
        t=catalogue, fmt=Formatter(catalogue), lang=catalogue.lang.replace("_", "-"), version=__version__,
        **context)

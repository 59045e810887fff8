"""grader: automated grading of deep-learning course notebooks."""

from grader.version import __version__

__all__ = ["__version__", "verificar"]


def verificar(section=None, *, kit=None, lang="pt"):
    """Check this notebook's live objects against the course kit (see :mod:`grader.kit.live`).

    A convenience before handing in, not a grade. Imported on first call: ``import grader``
    stays light (no TensorFlow).
    """
    from grader.kit.live import verificar as check_live

    return check_live(section, kit=kit, lang=lang)

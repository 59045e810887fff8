"""The grader's version: recorded in results, stored facts and the kit (``grader --version``)."""

__version__ = "0.1.0"

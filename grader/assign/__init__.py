"""``grader assign``: one master notebook -> the handout, the reference and a starting spec."""

from grader.assign.command import AssignResult, assign, print_summary

__all__ = ["AssignResult", "assign", "print_summary"]

"""grader: automated grading of deep-learning course notebooks."""

__version__ = "0.1.0"

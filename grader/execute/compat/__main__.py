"""``python -m grader.execute.compat``: write the parts as one text into ``grader/execute/kernel_compat.py``."""

from grader.execute.compat import BUNDLE, kernel_source

BUNDLE.write_text(kernel_source(), encoding="utf-8")
print(f"wrote {BUNDLE}")

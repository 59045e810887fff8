"""Similar submissions across a run: a plagiarism signal for a teacher to read, never a score.

``extract`` takes the code and the written answers a student wrote (the handout's removed),
``fingerprints`` fingerprints them with copydetect (winnowed k-grams of Pygments tokens, so
renamed variables and rewritten comments change nothing), ``index`` keeps an inverted
fingerprint index so only pairs that share fingerprints are scored, ``report`` writes
``similarity.html`` and ``similarity.csv``, ``command`` is ``grader similarity OUT`` and the
step at the end of ``grader run``. Kept light: importing this package imports no copydetect.
"""

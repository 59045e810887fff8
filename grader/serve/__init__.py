"""``grader serve``: students check and hand in from a browser; instructors review and release.

A Starlette application on uvicorn over the parts ``grader run`` uses: the SQLite store
(jobs live there, so a restarted server resumes its queue), :func:`grader.grade.collect_facts`
in worker processes, scoring and the report renderers with the reader's language passed in,
teacher decisions and the CSV export. Modules: the course file (:mod:`.course`), signed
tokens (:mod:`.tokens`), the job queue (:mod:`.jobs`), the grading workers (:mod:`.grading`),
what each reader may see (:mod:`.views`), security middleware (:mod:`.security`), pages
(:mod:`.pages`), routes (:mod:`.app`) and the command (:mod:`.command`).
"""

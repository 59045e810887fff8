"""Benchmark: ``grader serve`` on loopback, against ``grader run`` and bare nbclient (relu-exercicios).

Two measurements, bounded in count and time, not part of the suite:

  * latency — an idle server (reference done, a kernel started ahead): one self-check from
    upload to report, against bare nbclient executing the same notebook;
  * load — STUDENTS students upload at once, UPLOADS notebooks in all (each student sends
    the next when the last is graded), all distinct (a comment cell makes each unique);
    time to first byte of the upload and of the home page under load, the queue wait,
    the upload-to-report time; the server is SIGKILLed once in the middle (``--kill``) and
    started again; at the end every upload must be graded exactly once. Then ``grader run``
    grades the same notebooks, for the total against the server's.

    .venv/bin/python benchmarks/serve.py latency
    .venv/bin/python benchmarks/serve.py load [--students 100] [--uploads 200] [--kill] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from tests.serve.server import EXAMPLES, Client, free_port, listen, write_course  # noqa: E402

NOTEBOOKS = sorted(EXAMPLES.glob("0[1-4,6-7]*.ipynb"))


def distinct(notebook: Path, tag: str) -> bytes:
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"entrega {tag}"))
    return nbformat.writes(nb).encode()


def bare_seconds(notebook: Path) -> float:
    nb = nbformat.read(notebook, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return time.perf_counter() - started


def start(folder: Path, students: int, workers: int, queue_limit: int) -> tuple:
    port = free_port()
    course = write_course(folder, port, "verificacao", cooldown_minutes=0, queue_limit=queue_limit)
    text = course.read_text().replace("upload_mb = 1", f"upload_mb = 2\nworkers = {workers}")
    course.write_text(text)
    (folder / "turma.csv").write_text("id,name,email\n" + "".join(f"s{n:03d},Aluno {n},\n" for n in range(students)))
    out = subprocess.run([sys.executable, "-m", "grader.cli", "serve", "links", str(course)], capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout
    links = {row.split(",")[0]: row.split(",")[3] for row in out.strip().splitlines()[1:]}
    return course, port, links


POLL = 1.0  # seconds between two looks at a job's state, as the page itself polls


def attempts(client: Client) -> list[int]:
    import re

    return sorted(int(n) for n in re.findall(r'href="/tentativas/(\d+)"', client.get("/").text))


def wait_done(client: Client, job: int) -> None:
    """Until the job is done; a server down a moment (SIGKILL, restart) is waited for."""
    while True:
        try:
            if json.loads(client.get(f"/tentativas/{job}/estado").body)["state"] == "done":
                return
        except (OSError, ValueError):
            pass
        time.sleep(POLL)


def timed_upload(client: Client, data: bytes, name: str) -> tuple[int, float, float]:
    """(job, seconds to the upload's answer, seconds from upload to done); sent once, even across a restart.

    An upload whose answer was lost (the server killed meanwhile) is looked for among the
    student's attempts before it is sent again, as a student would.
    """
    while True:
        try:
            csrf, before = client.csrf(), attempts(client)
            break
        except OSError:
            time.sleep(0.5)
    started = time.perf_counter()
    try:
        reply = client.upload(EXAMPLES / name, csrf, filename=name, data=data)
    except OSError:
        while True:
            try:
                new = sorted(set(attempts(client)) - set(before))
                break
            except OSError:
                time.sleep(0.5)
        if not new:
            return timed_upload(client, data, name)
        job, answered = new[-1], float("nan")
    else:
        answered = time.perf_counter() - started
        if reply.status != 303:
            raise RuntimeError(f"upload refused: {reply.status} {reply.text[-300:]}")
        job = int(reply.headers["location"].rsplit("/", 1)[1])
    wait_done(client, job)
    return job, answered, time.perf_counter() - started


def latency(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="grader-serve-bench-"))
    course, port, links = start(folder, 2, 1, 10)
    server = listen(folder, course, port, links)
    try:
        client = Client(server).sign_in("s000")
        notebook = EXAMPLES / "01-correta.ipynb"
        timed_upload(client, distinct(notebook, "warm-up"), notebook.name)  # the reference, and a kernel ahead
        time.sleep(3)
        served = [timed_upload(client, distinct(notebook, f"run {n}"), notebook.name)[2] for n in range(args.repeat)]
    finally:
        server.stop()
    bare = [bare_seconds(notebook) for _ in range(args.repeat)]
    print(f"self-check, idle server, upload to done: median {statistics.median(served):.2f} s {served}")
    print(f"bare nbclient, same notebook:             median {statistics.median(bare):.2f} s {bare}")
    print(f"difference: {statistics.median(served) - statistics.median(bare):+.2f} s")


def load(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="grader-serve-load-"))
    course, port, links = start(folder, args.students, args.workers, args.students + 10)
    server = listen(folder, course, port, links)
    per_student = -(-args.uploads // args.students)
    sent: dict[int, bytes] = {}
    answers, totals, home_ttfb, errors = [], [], [], []
    lock = threading.Lock()
    done_count = [0]

    def student(n: int) -> None:
        client = Client(server).sign_in(f"s{n:03d}")
        for k in range(per_student):
            if n * per_student + k >= args.uploads:
                return
            name = NOTEBOOKS[(n + k) % len(NOTEBOOKS)].name
            data = distinct(EXAMPLES / name, f"s{n:03d}-{k}")
            try:
                job, answered, total = timed_upload(client, data, name)
            except RuntimeError as exc:
                errors.append(f"s{n:03d}: {exc}")
                return
            with lock:
                sent[job] = data
                answers.append(answered)
                totals.append(total)
                done_count[0] += 1

    def prober() -> None:
        client = Client(server).sign_in("s000")
        while done_count[0] < args.uploads and not errors:
            started = time.perf_counter()
            try:
                client.get("/")
                home_ttfb.append(time.perf_counter() - started)
            except OSError:
                pass
            time.sleep(1)

    started = time.perf_counter()
    threads = [threading.Thread(target=student, args=(n,)) for n in range(args.students)]
    threads.append(threading.Thread(target=prober))
    for thread in threads:
        thread.start()
    if args.kill:
        while done_count[0] < args.uploads // 2:
            time.sleep(0.2)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        print(f"SIGKILL after {done_count[0]} graded; starting again")
        again = listen(folder, course, port, links)
        server.process = again.process
    for thread in threads:
        thread.join()
    served_total = time.perf_counter() - started
    server.stop()
    db = sqlite3.connect(folder / "dados" / "store.sqlite")
    rows = db.execute("SELECT id, state, sha256, started, submitted FROM serve_jobs").fetchall()
    import hashlib
    graded_once = all(r[1] == "done" for r in rows) and len(rows) == len(sent) and all(
        hashlib.sha256(sent[r[0]]).hexdigest() == r[2] for r in rows if r[0] in sent)
    waits = [r[3] - r[4] for r in rows if r[3]]
    print(f"{len(rows)} jobs for {len(sent)} uploads ({args.students} students, {args.workers} workers); "
          f"graded exactly once: {graded_once}; errors: {errors[:3]}")
    answered = [a for a in answers if a == a]  # an answer lost to the SIGKILL is not timed
    print(f"upload answered: median {statistics.median(answered) * 1000:.0f} ms, max {max(answered) * 1000:.0f} ms")
    if home_ttfb:
        print(f"home page under load: median {statistics.median(home_ttfb) * 1000:.0f} ms, "
              f"max {max(home_ttfb) * 1000:.0f} ms")
    print(f"queue wait (last start): median {statistics.median(waits):.1f} s, max {max(waits):.1f} s")
    print(f"upload to done: median {statistics.median(totals):.1f} s, max {max(totals):.1f} s")
    print(f"all uploads graded in {served_total:.1f} s")
    subs = folder / "submissions"
    subs.mkdir()
    for job, data in sent.items():
        (subs / f"job{job:04d}.ipynb").write_bytes(data)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "run", str(subs), "-a", "relu-exercicios", "-o",
                    str(folder / "out"), "--jobs", str(args.workers), "--store", str(folder / "run-store.sqlite"),
                    "--no-similarity"], check=True, capture_output=True, env={"PYTHONPATH": str(ROOT),
                                                                             "PATH": "/usr/bin:/bin"})
    print(f"grader run of the same {len(sent)} notebooks, --jobs {args.workers}: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="what", required=True)
    verbs.add_parser("latency").add_argument("--repeat", type=int, default=3)
    loaded = verbs.add_parser("load")
    loaded.add_argument("--students", type=int, default=100)
    loaded.add_argument("--uploads", type=int, default=200)
    loaded.add_argument("--workers", type=int, default=2)
    loaded.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    (latency if args.what == "latency" else load)(args)


if __name__ == "__main__":
    main()

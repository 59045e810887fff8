"""Similar submissions at class size: time and peak memory of ``grader similarity``'s comparison.

Each synthetic student takes every code cell of the handout from one of the assignment's
examples (or the reference) at random, then renames its variables, rewrites its comments
and reorders its cells (``tests/similarity/synthetic.py``), so pairs share some cells and
not others, as a class does. The class is written to disk first; each size is then compared
in a fresh process, so its peak RSS is the comparison's (reading the notebooks included).

    .venv/bin/python benchmarks/similarity.py --sizes 50 100 200 [--assignment treinamento-redes]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.messages import load_catalogue  # noqa: E402
from grader.similarity.command import Notebook, compare_notebooks, read_handout, write_similarity  # noqa: E402
from grader.similarity_settings import SimilaritySettings  # noqa: E402
from tests.similarity.synthetic import disguise, example_paths, handout_path, read  # noqa: E402


def make_class(assignment: str, size: int, folder: Path, seed: int = 0) -> list[Notebook]:
    """``size`` notebooks mixed cell by cell from the examples, each disguised."""
    rng = random.Random(seed)
    handout = read(handout_path(assignment))
    sources = [read(p) for p in example_paths(assignment)] + [read(ROOT / "reference" / f"{assignment}.ipynb")]
    by_id = [{c.get("id"): c for c in nb.cells} for nb in sources]
    notebooks = []
    for n in range(size):
        student = nbformat.v4.new_notebook(metadata=handout.metadata)
        for cell in handout.cells:
            choice = rng.choice(by_id).get(cell.get("id"), cell)
            student.cells.append(nbformat.from_dict(json.loads(json.dumps(choice))))
        path = folder / f"aluno-{n:04d}.ipynb"
        nbformat.write(disguise(student, handout, seed=n), path)
        notebooks.append(Notebook(path.stem, path))
    return notebooks


def _rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(assignment: str, folder: Path) -> dict:
    """Compare the class in ``folder`` and write its pages, timed; memory before and at the peak."""
    notebooks = [Notebook(p.stem, p) for p in sorted(folder.glob("*.ipynb"))]
    before = _rss_mb()
    started = time.perf_counter()
    findings = compare_notebooks(notebooks, read_handout(handout_path(assignment)), SimilaritySettings())
    compared = time.perf_counter()
    write_similarity(folder, findings, load_catalogue("pt"), assignment)
    written = time.perf_counter()
    size = len(notebooks)
    return {
        "size": size, "all_pairs": size * (size - 1) // 2, "scored_pairs": len(findings.pairs),
        "flagged": len(findings.flagged), "compare_s": round(compared - started, 2),
        "write_s": round(written - compared, 2),
        "page_mb": round((folder / "similarity.html").stat().st_size / 2**20, 1),
        "rss_before_mb": before,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--assignment", default="treinamento-redes")
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)  # compare this class, in this process
    args = parser.parse_args()
    if args.folder:
        print(json.dumps(measure(args.assignment, args.folder)))
        return 0
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            make_class(args.assignment, size, Path(tmp))
            done = subprocess.run([sys.executable, __file__, "--assignment", args.assignment, "--folder", tmp],
                                  capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    print("\n| submissions | pairs (all) | pairs scored | flagged | compare | page + CSV | page size | "
          "RSS before | peak RSS |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['size']} | {r['all_pairs']:,} | {r['scored_pairs']:,} | {r['flagged']:,} | {r['compare_s']} s | "
              f"{r['write_s']} s | {r['page_mb']} MB | {r['rss_before_mb']} MB | {r['peak_rss_mb']} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A run on a disk too full for a kernel's quota starts no notebook, stores nothing, and says so.

No notebook is executed (nothing is there to execute it in): the disk is "too full" because
the spec's quota asks for more room than the machine has, the real check on the real disk.
"""

from __future__ import annotations

import json
import sqlite3

from grader.run import run
from tests.mini_assignment import build_mini


def test_a_disk_too_full_for_a_kernel_starts_no_notebook_and_keeps_the_outputs(tmp_path, dataset_dir):
    assignments, subs = build_mini(tmp_path)
    spec = assignments / "mini" / "assignment.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("total_timeout = 300", "total_timeout = 300\nmax_disk_mb = 1000000000"),
                    encoding="utf-8")
    store = tmp_path / "store.sqlite"
    run(submissions=subs, assignment="mini", assignments_dir=assignments, out=tmp_path / "out", jobs=1,
        data_dir=dataset_dir, store=store, similarity=False)
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in results["submissions"]] == ["error", "error"]
    assert all("disco da máquina de correção está quase cheio" in s["error"] for s in results["submissions"])
    assert (tmp_path / "out" / "grades.csv").is_file() and (tmp_path / "out" / "ana" / "report.html").is_file()
    with sqlite3.connect(store) as db:  # nothing stored: the same command grades them once there is room
        assert db.execute("SELECT COUNT(*) FROM facts").fetchone()[0] == 0

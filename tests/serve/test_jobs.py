"""The job queue in the store's file: limits with a plain reason, claims in order, resumed after a stop."""

from __future__ import annotations

from grader.serve.jobs import Job, JobQueue, Refusal

NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def test_one_pending_job_per_student(tmp_path):
    queue = JobQueue(tmp_path / "store.sqlite", queue_limit=10)
    assert isinstance(queue.submit("ana", "a", "entrega", "x.ipynb", NB), Job)
    refused = queue.submit("ana", "a", "entrega", "y.ipynb", NB)
    assert refused == Refusal("serve.refused.pending", {})
    assert isinstance(queue.submit("bruno", "a", "entrega", "x.ipynb", NB), Job)


def test_a_full_queue_refuses_with_its_limit(tmp_path):
    queue = JobQueue(tmp_path / "store.sqlite", queue_limit=2)
    for student in ("ana", "bruno"):
        queue.submit(student, "a", "entrega", "x.ipynb", NB)
    assert queue.submit("carla", "a", "entrega", "x.ipynb", NB) == Refusal("serve.refused.queue_full", {"limit": 2})


def test_the_cooldown_counts_from_the_last_check(tmp_path):
    queue = JobQueue(tmp_path / "store.sqlite", queue_limit=10)
    first = queue.submit("ana", "a", "verificacao", "x.ipynb", NB, cooldown=600, now=1000.0)
    queue.claim()
    queue.finish(first.id, "{}")
    assert queue.submit("ana", "a", "verificacao", "x.ipynb", NB, cooldown=600, now=1300.0) == Refusal(
        "serve.refused.cooldown", {"minutes": 5})
    assert isinstance(queue.submit("ana", "a", "verificacao", "x.ipynb", NB, cooldown=600, now=1601.0), Job)


def test_jobs_are_claimed_in_order_and_a_restart_queues_the_started_ones_again(tmp_path):
    path = tmp_path / "store.sqlite"
    queue = JobQueue(path, queue_limit=10)
    a = queue.submit("ana", "a", "entrega", "x.ipynb", NB)
    b = queue.submit("bruno", "a", "entrega", "y.ipynb", NB)
    claimed, notebook = queue.claim()
    assert claimed.id == a.id and notebook == NB and queue.place(queue.get(b.id)) == 1
    restarted = JobQueue(path, queue_limit=10)  # the server stopped with a's job running
    assert restarted.resume() == 1
    assert restarted.claim()[0].id == a.id and restarted.claim()[0].id == b.id and restarted.claim() is None


def test_handed_in_is_each_students_last_graded_hand_in(tmp_path):
    queue = JobQueue(tmp_path / "store.sqlite", queue_limit=10)
    for name in ("first.ipynb", "second.ipynb"):
        job = queue.submit("ana", "a", "entrega", name, NB)
        queue.claim()
        queue.finish(job.id, "{}")
    check = queue.submit("ana", "a", "verificacao", "check.ipynb", NB)
    queue.claim()
    queue.finish(check.id, "{}")
    assert queue.handed_in("a")["ana"].filename == "second.ipynb"


def test_an_assignments_self_checks_are_listed_newest_first_apart_from_its_hand_ins(tmp_path):
    queue = JobQueue(tmp_path / "store.sqlite", queue_limit=10)
    for student, assignment, mode in (("ana", "a", "verificacao"), ("bruno", "a", "entrega"),
                                      ("carla", "a", "verificacao"), ("davi", "b", "verificacao")):
        queue.submit(student, assignment, mode, "x.ipynb", NB)
    assert [j.student for j in queue.of_assignment("a", "verificacao")] == ["carla", "ana"]
    assert queue.count("a", "verificacao") == 2 and queue.count("a", "entrega") == 1 and queue.count("c", "entrega") == 0

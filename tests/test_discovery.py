"""Finding submissions: a flat folder of notebooks, or one folder per student."""

from __future__ import annotations

import pytest

from grader.errors import UsageError
from grader.discovery import _safe_id, discover_submissions


def touch(folder, *names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")


def ids_and_paths(found):
    return [(s.id, s.relative) for s in found]


def test_flat_folder_id_is_the_stem(tmp_path):
    touch(tmp_path, "bruno.ipynb", "ana.ipynb", "leia-me.txt")
    found = discover_submissions(tmp_path)
    assert ids_and_paths(found) == [("ana", "ana.ipynb"), ("bruno", "bruno.ipynb")]
    assert found[0].path == tmp_path / "ana.ipynb"


def test_one_folder_per_student_id_is_the_folder(tmp_path):
    touch(tmp_path,
          "ana/cnn-pratica.ipynb",
          "ana/.ipynb_checkpoints/cnn-pratica-checkpoint.ipynb",
          "bruno/entrega/cnn-pratica.ipynb",
          "carla/notas.txt")
    found = discover_submissions(tmp_path)
    assert ids_and_paths(found) == [("ana", "ana/cnn-pratica.ipynb"), ("bruno", "bruno/entrega/cnn-pratica.ipynb")]


def test_checkpoints_alone_are_not_a_submission(tmp_path):
    touch(tmp_path, "ana/.ipynb_checkpoints/cnn-pratica-checkpoint.ipynb")
    assert discover_submissions(tmp_path) == []


def test_hidden_folders_are_ignored(tmp_path):
    touch(tmp_path, ".ipynb_checkpoints/ana-checkpoint.ipynb", ".git/x.ipynb", "ana.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path)) == [("ana", "ana.ipynb")]


def test_mixed_files_and_folders(tmp_path):
    touch(tmp_path, "ana.ipynb", "bruno/cnn.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path)) == [("ana", "ana.ipynb"), ("bruno", "bruno/cnn.ipynb")]


def test_duplicate_ids_get_suffixes(tmp_path):
    touch(tmp_path, "ana.ipynb", "ana/cnn.ipynb", "bruno.ipynb")
    found = discover_submissions(tmp_path)
    ids = [s.id for s in found]
    assert len(set(ids)) == len(ids) == 3
    assert ids_and_paths(found) == [("ana-1", "ana.ipynb"), ("bruno", "bruno.ipynb"), ("ana-3", "ana/cnn.ipynb")]


def test_ids_made_unsafe_the_same_way_get_suffixes(tmp_path):
    touch(tmp_path, "ana maria.ipynb", "ana_maria.ipynb")
    ids = [s.id for s in discover_submissions(tmp_path)]
    assert len(set(ids)) == 2 and all(i.startswith("ana_maria-") for i in ids)


def test_suffixed_ids_do_not_collide_with_real_ids(tmp_path):
    touch(tmp_path, "ana-2.ipynb", "ana.ipynb", "ana/cnn.ipynb")
    found = discover_submissions(tmp_path)
    ids = [s.id for s in found]
    assert len(set(ids)) == 3, ids
    assert found[0].id == "ana-2" and found[0].relative == "ana-2.ipynb"


def test_macos_zip_debris_is_ignored(tmp_path):
    touch(tmp_path, "._bruno.ipynb", "bruno.ipynb",
          "ana/__MACOSX/._cnn.ipynb", "ana/cnn.ipynb", "__MACOSX/ana/._cnn.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path)) == [("bruno", "bruno.ipynb"), ("ana", "ana/cnn.ipynb")]


def test_single_notebook_file(tmp_path):
    touch(tmp_path, "ana.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path / "ana.ipynb")) == [("ana", "ana.ipynb")]


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        discover_submissions(tmp_path / "entregas")


def test_empty_folder(tmp_path):
    assert discover_submissions(tmp_path) == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ana", "ana"),
        ("Ana Maria Silva", "Ana_Maria_Silva"),
        ("../../etc/passwd", "etc_passwd"),
        ("turma\\aluno", "turma_aluno"),
        ("joão.souza@usp.br", "joão.souza@usp.br"),
        ("...", "submission"),
        ("", "submission"),
    ],
)
def test_safe_id(raw, expected):
    assert _safe_id(raw) == expected


@pytest.mark.parametrize("raw", ["a b/c", "x/../y", "a:b*c?", 'a"b<c>|d', "tab\there"])
def test_safe_id_has_no_path_or_shell_characters(raw):
    safe = _safe_id(raw)
    assert not set(safe) & set(' /\\:*?"<>|\t') and safe not in (".", "..")


# ---------------------------------------------------------------------- LMS bulk downloads
from grader.discovery import discover  # noqa: E402


def aged(folder, name, seconds):
    """Set a file's modification time (the order of a student's hand-ins when the LMS name does not say)."""
    import os
    os.utime(folder / name, (1_800_000_000 + seconds, 1_800_000_000 + seconds))


def test_moodle_flat_download(tmp_path):
    touch(tmp_path, "Ana Maria Silva_12345_assignsubmission_file_aluno.ipynb",
          "Bruno Costa_678_assignsubmission_file_cnn.ipynb",
          "Bruno Costa_678_assignsubmission_file_notas.pdf")
    found = discover(tmp_path)
    assert [(s.id, s.source.name, s.source.lms) for s in found.submissions] == [
        ("12345", "Ana Maria Silva", "moodle"), ("678", "Bruno Costa", "moodle")]
    assert [(s.path, s.reason, s.submission) for s in found.info.skipped] == [
        ("Bruno Costa_678_assignsubmission_file_notas.pdf", "not_notebook", "678")]
    assert found.info.lms == "moodle"


def test_moodle_folders_download(tmp_path):
    touch(tmp_path, "Ana Maria Silva_12345_assignsubmission_file/aluno.ipynb",
          "Ana Maria Silva_12345_assignsubmission_file/leia-me.txt",
          "Bruno Costa_678_assignsubmission_onlinetext/onlinetext.html")
    found = discover(tmp_path)
    assert [(s.id, s.relative, s.source.file) for s in found.submissions] == [
        ("12345", "Ana Maria Silva_12345_assignsubmission_file/aluno.ipynb", "aluno.ipynb")]
    assert {(s.path, s.submission) for s in found.info.skipped} == {
        ("Ana Maria Silva_12345_assignsubmission_file/leia-me.txt", "12345"),
        ("Bruno Costa_678_assignsubmission_onlinetext/onlinetext.html", "678")}


def test_moodle_folder_with_two_notebooks_grades_the_latest(tmp_path):
    folder = "Ana_5_assignsubmission_file"
    touch(tmp_path, f"{folder}/v1.ipynb", f"{folder}/v2.ipynb")
    aged(tmp_path, f"{folder}/v1.ipynb", 100)
    aged(tmp_path, f"{folder}/v2.ipynb", 50)
    found = discover(tmp_path)
    assert [s.relative for s in found.submissions] == [f"{folder}/v1.ipynb"]
    assert [(s.path, s.reason) for s in found.info.skipped] == [(f"{folder}/v2.ipynb", "other_notebook")]


def test_canvas_download_keeps_the_latest_hand_in_and_says_so(tmp_path):
    touch(tmp_path, "silvaana_12345_500_aluno.ipynb", "silvaana_late_12345_900_aluno-1.ipynb",
          "costabruno_678_700_lista.ipynb", "costabruno_678_701_rascunho.txt")
    found = discover(tmp_path)
    subs = {s.id: s for s in found.submissions}
    assert set(subs) == {"12345", "678"}
    assert subs["12345"].relative == "silvaana_late_12345_900_aluno-1.ipynb"
    assert subs["12345"].source.late and subs["12345"].source.attempt == 1
    assert [(r.submission, r.kept, r.path) for r in found.info.replaced] == [
        ("12345", "silvaana_late_12345_900_aluno-1.ipynb", "silvaana_12345_500_aluno.ipynb")]
    assert [s.path for s in found.info.skipped] == ["costabruno_678_701_rascunho.txt"]
    assert found.info.lms == "canvas"


def test_canvas_pattern_needs_every_file_to_follow_it(tmp_path):
    touch(tmp_path, "ana_2021_10_lista.ipynb", "bruno.ipynb")
    assert [s.id for s in discover(tmp_path).submissions] == ["ana_2021_10_lista", "bruno"]


GRADESCOPE_YML = """\
submission_11:
  :submitters:
  - :name: Ana Silva
    :sid: '2021001'
    :email: ana@usp.br
  :created_at: 2026-11-20 10:00:00.000000000 -03:00
submission_12:
  :submitters:
  - :name: Ana Silva
    :sid: '2021001'
    :email: ana@usp.br
  :created_at: 2026-11-21 10:00:00.000000000 -03:00
submission_13:
  :submitters:
  - :name: Bruno Costa
    :sid: '2021002'
    :email: bruno@usp.br
  :created_at: 2026-11-20 09:00:00.000000000 -03:00
"""


def test_gradescope_export(tmp_path):
    export = tmp_path / "assignment_77_export"
    touch(export, "submission_11/relu.ipynb", "submission_12/relu.ipynb", "submission_13/relu.ipynb",
          "submission_13/results.json")
    (export / "submission_metadata.yml").write_text(GRADESCOPE_YML, encoding="utf-8")
    found = discover(tmp_path)  # the export's own folder is looked into
    subs = {s.id: s for s in found.submissions}
    assert set(subs) == {"2021001", "2021002"}
    assert subs["2021001"].relative == "assignment_77_export/submission_12/relu.ipynb"
    assert subs["2021001"].source.name == "Ana Silva"
    assert [(r.kept, r.path) for r in found.info.replaced] == [
        ("assignment_77_export/submission_12/relu.ipynb", "assignment_77_export/submission_11/relu.ipynb")]
    assert [s.path for s in found.info.skipped] == ["assignment_77_export/submission_13/results.json"]
    assert found.info.lms == "gradescope"


def test_bad_gradescope_metadata_is_a_usage_error(tmp_path):
    touch(tmp_path, "submission_1/a.ipynb")
    (tmp_path / "submission_metadata.yml").write_text("- not\n- a mapping\n", encoding="utf-8")
    with pytest.raises(UsageError, match="submission_metadata.yml"):
        discover(tmp_path)


def test_plain_names_are_never_replaced(tmp_path):
    touch(tmp_path, "ana.ipynb", "ana/cnn.ipynb")
    found = discover(tmp_path)
    assert len(found.submissions) == 2 and found.info.replaced == () and found.info.lms == ""


def test_skipped_before_discovery_come_first(tmp_path):
    from grader.discovery import SkippedFile

    touch(tmp_path, "ana.ipynb", "notas.csv")
    found = discover(tmp_path, skipped=(SkippedFile("../x.ipynb", "unsafe_path"),))
    assert [s.reason for s in found.info.skipped] == ["unsafe_path", "not_notebook"]


def test_a_re_zipped_folder_of_lms_names_is_looked_into(tmp_path):
    touch(tmp_path, "entregas/Ana_12_assignsubmission_file_a.ipynb", "entregas/Bruno_13_assignsubmission_file_b.ipynb")
    found = discover(tmp_path)
    assert [(s.id, s.relative) for s in found.submissions] == [
        ("12", "entregas/Ana_12_assignsubmission_file_a.ipynb"), ("13", "entregas/Bruno_13_assignsubmission_file_b.ipynb")]


def test_a_single_plain_student_folder_stays_one_student(tmp_path):
    touch(tmp_path, "ana/parte1.ipynb", "ana/parte2.ipynb")
    assert [s.id for s in discover(tmp_path).submissions] == ["ana"]


# ---------------------------------------------------------------------- ids OUT can hold
from grader.discovery import MAX_ID_BYTES, RUN_OUTPUTS, submission_id  # noqa: E402


def test_a_notebook_named_after_a_run_output_is_renamed_and_said_so(tmp_path):
    names = ["results.json", "grader.log", "index.html", "grades.csv", "similarity.html", "Results.JSON"]
    touch(tmp_path, *(f"{n}.ipynb" for n in names), "results.json-submission.ipynb", "ana.ipynb")
    found = discover(tmp_path)
    ids = {s.relative: s.id for s in found.submissions}
    assert ids["ana.ipynb"] == "ana"
    for name in names:
        assert ids[f"{name}.ipynb"].casefold() not in RUN_OUTPUTS
        assert ids[f"{name}.ipynb"].startswith(name)
    assert ids["grader.log.ipynb"] == "grader.log-submission"
    # the student whose own name is the renamed one keeps it; the renamed one is told apart
    assert ids["results.json-submission.ipynb"] == "results.json-submission"
    assert len({i.casefold() for i in ids.values()}) == len(ids)
    renamed = {r.path: (r.name, r.id, r.reason) for r in found.info.renamed}
    assert renamed["index.html.ipynb"] == ("index.html", "index.html-submission", "reserved")
    assert renamed["results.json.ipynb"][1] == ids["results.json.ipynb"]
    assert set(renamed) == {f"{n}.ipynb" for n in names}
    assert found.info.to_json()["renamed"][0]["reason"] == "reserved"  # kept in results.json's discovery


def test_the_reserved_names_are_every_name_a_run_writes_in_out():
    from grader.export import get_exporter
    from grader.outputs import LOG_NAME
    from grader.rerender import RESULTS_NAME
    from grader.similarity.findings import PAGE
    from grader.similarity.saved import CSV_NAME, FINDINGS_NAME

    written = {LOG_NAME, RESULTS_NAME, PAGE, CSV_NAME, FINDINGS_NAME, "grades.csv", "index.html"}
    written |= {get_exporter(kind).filename for kind in ("csv", "canvas", "moodle", "junit")}
    assert written <= RUN_OUTPUTS


def test_windows_device_names_are_renamed(tmp_path):
    touch(tmp_path, "CON.ipynb", "nul.ipynb", "console.ipynb")
    ids = {s.relative: s.id for s in discover_submissions(tmp_path)}
    assert ids == {"CON.ipynb": "CON-submission", "nul.ipynb": "nul-submission", "console.ipynb": "console"}


def test_long_names_are_cut_and_stay_distinct(tmp_path):
    first, second = "á" * 115 + "-ana", "á" * 115 + "-bia"  # 240 bytes: the longest a file system takes
    touch(tmp_path, f"{first}.ipynb", f"{second}.ipynb")
    found = discover(tmp_path)
    ids = [s.id for s in found.submissions]
    assert all(len(i.encode("utf-8")) <= MAX_ID_BYTES for i in ids) and len(set(ids)) == 2
    assert {r.reason for r in found.info.renamed} == {"too_long"}
    assert discover(tmp_path).submissions[0].id == ids[0]  # the same id every run
    for i in ids:
        (tmp_path / "out" / i).mkdir(parents=True)  # a folder the file system accepts


def test_ids_differing_only_in_letter_case_are_two_folders(tmp_path):
    touch(tmp_path, "Ana.ipynb", "ana.ipynb")
    ids = [s.id for s in discover_submissions(tmp_path)]
    assert len({i.casefold() for i in ids}) == 2


def test_control_characters_and_decomposed_accents_in_a_name():
    assert submission_id("jo\u0061\u0303o\x00\x1b[31m") == "jo\u00e3o_31m"
    assert submission_id("results.json") == "results.json-submission"
    assert submission_id(".hidden") == "hidden"

"""The headless CLI: each command's output, and exit status 2 with every problem on stderr for bad input."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import cli
import commands
from exports.cells import workbook_bytes
from framework.library import builtin_frameworks, framework_to_dict, load_framework_file
from framework.workbook import read_framework_workbook
from tests.support import REPO_ROOT
from tests.support import VECTORS as EXAMPLES
from tests.support.workbooks import tables_workbook

BAD_FRAMEWORK = {
    "framework": [["key", "value"], ["id", "bad"], ["title", "Bad"], ["version", "1"], ["scale", "q"]],
    "scales": [["scale_id", "points", "label"], ["q", 1, "Low"], ["q", 2, "High"]],
    "domains": [["domain_id", "title"], ["d", "Domain"]],
    "criteria": [["criterion_id", "domain_id", "text", "kind"], ["c1", "d", "Q", "slider"], ["c2", "e", "Q", "text"]],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_frameworks_lists_the_builtin_library(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "frameworks", "--json")
    assert status == 0
    assert json.loads(out) == [{"id": fw.id, "title": fw.title, "version": fw.version} for fw in builtin_frameworks()]
    status, out, _ = run(capsys, "frameworks")
    assert out.splitlines() == [f"{fw.id}  {fw.version}  {fw.title}" for fw in builtin_frameworks()]


def test_validate_summarises_a_good_framework(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "framework.xlsx"
    assert run(capsys, "validate", str(path)) == (
        0,
        f'{path}: framework "example-audit" version 1.0 is valid: 4 domains, 11 criteria (3 statutory), 2 scales\n',
        "",
    )


def test_validate_reads_yaml_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(framework_to_dict(load_framework_file(EXAMPLES / "framework.xlsx"))))
    status, out, _ = run(capsys, "validate", str(path))
    assert (status, out.split(": ", 1)[1]) == (
        0,
        'framework "example-audit" version 1.0 is valid: 4 domains, 11 criteria (3 statutory), 2 scales\n',
    )


def test_validate_prints_every_problem_and_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(tables_workbook(BAD_FRAMEWORK))
    assert run(capsys, "validate", str(path)) == (
        2,
        "",
        'criteria!D2: kind must be one of rating, yes_no, number, text (got "slider")\n'
        'criteria!B3: no domain "e" in the domains sheet\n',
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.xlsx", None, "missing.xlsx: No such file or directory"),
        ("notes.xlsx", b"id,title\n", "notes.xlsx: not an Excel workbook (.xlsx): it looks like a CSV or text file; "
         "open it in Excel and save it as an Excel Workbook (.xlsx)"),
        ("framework.txt", b"", "framework.txt: expected a framework workbook (.xlsx), YAML (.yaml) or JSON (.json) "
         "file"),
    ],
)  # fmt: skip
def test_validate_refuses_unreadable_files_without_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    status, out, err = run(capsys, "validate", str(path))
    assert (status, out) == (2, "")
    assert err.replace(str(tmp_path) + "/", "") == message + "\n"


def test_framework_workbook_writes_a_builtin_framework_to_edit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fw = builtin_frameworks()[0]
    out_path = tmp_path / "mine.xlsx"
    assert run(capsys, "framework-workbook", fw.id, "-o", str(out_path)) == (0, f"wrote {out_path}\n", "")
    assert read_framework_workbook(out_path.read_bytes()) == fw


def test_framework_workbook_names_an_unknown_id(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    known = ", ".join(fw.id for fw in builtin_frameworks())
    assert run(capsys, "framework-workbook", "nope", "-o", str(tmp_path / "x.xlsx")) == (
        2,
        "",
        f'no built-in framework has id "nope" (known: {known})\n',
    )


def test_an_output_folder_that_does_not_exist_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "no-such-folder" / "x.xlsx"
    status, _, err = run(capsys, "framework-workbook", str(EXAMPLES / "framework.xlsx"), "-o", str(out_path))
    assert (status, err) == (2, f"{out_path}: No such file or directory\n")


def test_template_lists_the_questions_for_a_phase(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "template.xlsx"
    argv = ["template", str(EXAMPLES / "framework.xlsx"), "-o", str(out_path), "--phase", "secondary"]
    assert run(capsys, *argv, "--resourced-provision") == (0, f"wrote {out_path}\n", "")
    book = openpyxl.load_workbook(out_path)
    ids = [row[0] for row in book["responses"].iter_rows(min_row=2, values_only=True)]
    assert ids == ["role-1", "role-2", "role-3", "role-4", "time-1", "time-2", "time-3", "rec-1", "rec-2", "arp-1"]
    review = dict(book["review"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert (review["phase"], review["resourced_provision"]) == ("secondary", "yes")


def test_template_refuses_an_unknown_phase(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["template", "x", "-o", str(tmp_path / "t.xlsx"), "--phase", "infant"])
    assert stopped.value.code == 2
    assert "argument --phase: invalid choice: 'infant'" in capsys.readouterr().err


def test_score_prints_the_spec_json_and_writes_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "result.json"
    argv = ["score", str(EXAMPLES / "responses-1.xlsx"), "--framework", str(EXAMPLES / "framework.xlsx")]
    status, out, err = run(capsys, *argv, "--json", str(out_path))
    assert (status, err) == (0, "")
    assert json.loads(out) == json.loads(out_path.read_text()) == json.loads((EXAMPLES / "expected-1.json").read_text())


def test_score_finds_a_builtin_framework_by_the_id_in_the_workbook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fw = builtin_frameworks()[0]
    # a quality question: under compliance_gate a duty is checked, not counted in completion
    first = next(c for c in fw.criteria if c.kind == "yes_no" and not (c.statutory or c.fact or c.phases or c.requires))
    path = tmp_path / "filled.xlsx"
    argv = ["template", fw.id, "-o", str(path), "--phase", "primary"]
    assert run(capsys, *argv)[0] == 0
    book = openpyxl.load_workbook(path)
    row = next(r for r in book["responses"].iter_rows(min_row=2) if r[0].value == first.id)
    row[1].value = "yes"
    path.write_bytes(workbook_bytes(book))
    status, out, err = run(capsys, "score", str(path))
    result = json.loads(out)
    assert (status, err) == (0, "")
    assert (result["framework_id"], result["framework_version"], result["phase"]) == (fw.id, fw.version, "primary")
    assert result["completion"]["answered"] == 1


def test_score_prints_every_problem_of_a_bad_workbook_and_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.xlsx"
    review = [["key", "value"], ["framework_id", "example-audit"], ["phase", "nursery"]]
    responses = [["criterion_id", "response"], ["role-1", "perhaps"], ["role-11", "yes"], ["time-1", 500 * -1]]
    path.write_bytes(tables_workbook({"review": review, "responses": responses}))
    status, out, err = run(capsys, "score", str(path), "--framework", str(EXAMPLES / "framework.xlsx"))
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        "review!B3: phase must be one of early_years, primary, secondary, all_through, special, post_16 "
        '(got "nursery")',
        'responses!B2: answer yes or no (got "perhaps")',
        'responses!A3: framework "example-audit" has no criterion "role-11" (did you mean "role-1"?)',
    ]


def test_score_without_a_framework_names_an_unknown_id(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    review = [["key", "value"], ["framework_id", "example-audit"], ["phase", "primary"]]
    path.write_bytes(tables_workbook({"review": review, "responses": [["criterion_id", "response"]]}))
    assert run(capsys, "score", str(path)) == (2, "", 'review!B2: no known framework has id "example-audit"\n')


def test_a_new_command_needs_only_its_own_function(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = dict(commands.COMMANDS)
    monkeypatch.setattr(commands, "COMMANDS", registry)
    monkeypatch.setattr(cli, "COMMANDS", registry)

    @commands.command("hello", "say hello", lambda p: p.add_argument("name"))
    def hello(args: argparse.Namespace) -> int:
        print(f"hello {args.name}")
        return 0

    assert run(capsys, "hello", "Sam") == (0, "hello Sam\n", "")


@pytest.mark.slow  # two real processes of cli.py, each importing the whole app
def test_help_lists_every_command_and_bad_input_never_shows_a_traceback(tmp_path: Path) -> None:
    shown = subprocess.run([sys.executable, "cli.py", "--help"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert shown.returncode == 0
    for name in ("frameworks", "validate", "framework-workbook", "template", "score"):
        assert name in shown.stdout
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 definitely not a zip")
    scored = subprocess.run(
        [sys.executable, "cli.py", "score", str(junk)], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert (scored.returncode, scored.stdout) == (2, "")
    assert scored.stderr == (
        "junk.xlsx: not an Excel workbook (.xlsx): the file is damaged or incomplete; "
        "open it in Excel and save it as an Excel Workbook (.xlsx)\n"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000),
        ("deeper.yaml", "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "v: 1\n"),
        ("forty.json", '{"a":' * 40 + "1" + "}" * 40),
    ],
)
def test_validate_of_deeply_nested_json_or_yaml_is_a_clear_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    status, _, err = run(capsys, "validate", str(path))
    deep = "is nested more than 32 levels deep; a framework file is far shallower (is it the right file?)"
    assert (status, err) == (2, f"{name}: {deep}\n")


def test_import_register_with_an_unterminated_quote_exits_2_with_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header = "URN,LA (name),EstablishmentName,PhaseOfEducation (code),TypeOfEstablishment (code),NumberOfPupils,"
    header += "PercentageFSM"
    rows = [f"1{i:05d},North,School {i},2,1,210,22.0" for i in range(20_000)]
    path = tmp_path / "gias.csv"
    path.write_text("\n".join([header, '100000,North,"Unclosed,2,1,210,22.0', *rows]) + "\n")
    status, out, err = run(capsys, "--as", "", "import-register", str(path))
    assert (status, err) == (2, '--as: no such user: the email given is empty ("")\n')
    status, out, err = run(capsys, "import-register", str(path))
    assert status == 2 and out == ""
    assert err.startswith("gias.csv, line 2: a quoted value starts here")

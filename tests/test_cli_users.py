"""cli.py users: list, add, import (all or nothing, every bad line), deactivate, set-role; audited, admins only."""

from __future__ import annotations

import sqlalchemy as sa

import cli
from data import users
from data.access import OPERATOR
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import audit_log
from data.tables import users as users_table
from tests.support.pages import PASSWORD, add_user, register

GOOD = (
    "Email,Name,Role,School URN or LA\n"
    "senco@alder.example,Sam Senco,School staff,900001\n"
    "peer@birch.example,Pat Peer,peer,\n"
    "advisor@north.example,Alex Advisor,LA advisor,North\n"
)
BAD = (
    "email,name,role,school urn or la\n"
    "not-an-email,Sam Senco,school,900001\n"  # line 2: email
    "peer@birch.example,,peer,\n"  # line 3: name
    "x@north.example,X,wizard,\n"  # line 4: role
    "y@north.example,Y,la,\n"  # line 5: LA missing
    "peer@birch.example,Pat Again,peer,\n"  # line 6: duplicate of line 3
    "z@north.example,Z,school,999999\n"  # line 7: unknown URN (found in the database check)
)


def _site(database_url: str, monkeypatch) -> object:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    db = open_database(database_url)
    upsert_schools(db, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    add_user(db, "senco@other.example", "school", school_urn="900001")
    return db


def _count(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(users_table)).scalar_one()


def test_import_creates_every_account_with_a_one_time_password_and_audits_each(
    database_url, monkeypatch, tmp_path, capsys
):
    db = _site(database_url, monkeypatch)
    path = tmp_path / "users.csv"
    path.write_text(GOOD)
    assert cli.main(["--as", "admin@la.example", "users", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "created 3 accounts" in out
    for email in ("senco@alder.example", "peer@birch.example", "advisor@north.example"):
        line = next(x for x in out.splitlines() if x.startswith(email))
        assert len(line.split("\t")[1]) >= 12
        assert users.must_choose_password(db, users.actor_by_email(db, email).id)
    with db.read() as conn:
        invited = (
            conn.execute(sa.select(audit_log.c.detail).where(audit_log.c.action == "user_invited")).scalars().all()
        )
    assert len([d for d in invited if "(imported)" in d]) == 3

    assert cli.main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "advisor@north.example  Alex Advisor  LA advisor  North  never signed in" in listing
    db.dispose()


def test_a_file_with_mistakes_stores_nothing_and_reports_every_bad_line(database_url, monkeypatch, tmp_path, capsys):
    db = _site(database_url, monkeypatch)
    before = _count(db)
    path = tmp_path / "users.csv"
    path.write_text(BAD)
    assert cli.main(["users", "import", str(path)]) == 2
    err = capsys.readouterr().err
    for line in (
        "line 2, column email",
        "line 3, column name",
        "line 4, column role",
        "line 5",
        "line 6, column email",
    ):
        assert line in err, err
    assert _count(db) == before

    # the shape is right but the database refuses: still nothing stored, every line named
    path.write_text("email,name,role,school urn or la\nz@north.example,Z,school,999999\nsenco@other.example,S,peer,\n")
    assert cli.main(["users", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "999999" in err and "line 3" in err and "already an account" in err
    assert _count(db) == before
    db.dispose()


def test_only_administrators_may_and_each_change_is_audited(database_url, monkeypatch, capsys):
    db = _site(database_url, monkeypatch)
    assert cli.main(["--as", "senco@other.example", "users", "add", "a@b.example", "A B", "peer"]) == 3
    assert cli.main(["--as", "senco@other.example", "users", "list"]) == 3
    capsys.readouterr()
    assert cli.main(["users", "add", "a@b.example", "A B", "peer"]) == 0
    assert "a@b.example\t" in capsys.readouterr().out
    assert cli.main(["users", "set-role", "a@b.example", "la", "North"]) == 0
    assert users.actor_by_email(db, "a@b.example").la == "North"
    assert cli.main(["users", "deactivate", "a@b.example"]) == 0
    assert users.actor_by_email(db, "a@b.example") is None
    assert cli.main(["users", "deactivate", "nobody@b.example"]) == 3
    with db.read() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert {"user_invited", "role_changed", "user_deactivated"} <= actions
    db.dispose()


def test_progress_line_only_on_a_terminal(monkeypatch, capsys):
    from commands.progress import progress_line

    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert progress_line("x") is None
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    show = progress_line("restoring tables")
    assert show is not None
    show(1, 2)
    show(2, 2)
    assert capsys.readouterr().out == "\rrestoring tables: 1 of 2\rrestoring tables: 2 of 2\n"

"""Backup (administrators only): download the whole database as one file, and restore one from an upload.

The same backup as ``cli.py backup``/``restore`` (data/backup.py). Both show a progress bar while they
work. A restore checks every file of the upload first and reports what is wrong with nothing changed,
says what the backup holds, and replaces everything only after the administrator confirms.
Who may do this is decided in ``data/backup_admin.py``, not here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from data import backup_admin
from data.access import Actor
from ui.auth import require_actor
from ui.context import friendly_errors, get_db

_READY = "_backup_ready"
_RESTORED = "_backup_restored"
_CHECKED = "_backup_checked"
MAX_UPLOAD_MB = 500  # the demo LA's three cycles make about 0.6 MB; other uploads keep the app's 10 MB limit


def render() -> None:
    actor = require_actor()
    st.title("Backup")
    st.write(
        "A backup is the whole database in one file: every school, review, answer, account and the audit log. "
        "It holds every account's password hash, so keep it as carefully as the database itself."
    )
    with friendly_errors():
        _download(actor)
        _restore(actor)


def _bar(text: str) -> tuple[DeltaGenerator, Callable[[int, int], None]]:
    """A progress bar and the callback that moves it, one step per table."""
    bar = st.progress(0.0, text=text)

    def step(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{text} table {done} of {total}")

    return bar, step


def _download(actor: Actor) -> None:
    st.header("Download a backup", anchor=False)
    if st.button("Make a backup", key="backup_make"):
        bar, step = _bar("Backing up:")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"send-review-{date.today():%Y-%m-%d}.zip"
            summary = backup_admin.make_backup(get_db(), actor, path, progress=step)
            st.session_state[_READY] = (path.name, path.read_bytes(), summary.rows, len(summary.tables))
        bar.progress(1.0, text="Backup ready.")
    ready = st.session_state.get(_READY)
    if ready:
        name, data, rows, tables = ready
        st.success(f"The backup {name} holds {rows:,} rows in {tables} tables.")
        st.download_button("Download the backup", data, file_name=name, mime="application/zip", key="backup_download")


def _restore(actor: Actor) -> None:
    st.header("Restore a backup", anchor=False)
    st.warning(
        "Restoring replaces everything in this database with the backup. Anything added or changed since the "
        "backup was made is lost, including accounts and sign-ins made since then."
    )
    upload = st.file_uploader(
        "Backup file (.zip)",
        type=["zip"],
        key="backup_upload",
        max_upload_size=MAX_UPLOAD_MB,
        help=f"Up to {MAX_UPLOAD_MB} MB here; restore a larger backup with `cli.py restore` on the server.",
    )
    if upload is None:
        return
    if upload.file_id in st.session_state.setdefault(_RESTORED, set()):
        st.info(f"{upload.name} has been restored. Remove it from the box above to restore another backup.")
        return
    checked = st.session_state.setdefault(_CHECKED, {})  # each upload is read through once, not on every rerun
    if upload.file_id not in checked:
        with _saved(upload) as path, st.spinner("Checking every file in the backup…"):
            checked[upload.file_id] = backup_admin.inspect_backup(actor, path)
    summary, made = checked[upload.file_id]
    st.info(
        f"{upload.name} was made {_when(made)} and holds {summary.rows:,} rows in {len(summary.tables)} tables "
        f"(database schema {summary.revision})."
    )
    confirm = st.checkbox(
        "I understand that everything in this database will be replaced by this backup",
        key=f"backup_confirm_{upload.file_id}",
    )
    if not st.button("Replace everything with this backup", type="primary", disabled=not confirm, key="backup_restore"):
        return
    with _saved(upload) as path:
        bar, step = _bar("Restoring:")
        restored = backup_admin.restore(get_db(), actor, path, progress=step)
        bar.progress(1.0, text="Restored.")
    st.cache_data.clear()  # nothing read before the restore may be shown after it
    st.session_state.pop(_READY, None)
    st.session_state[_RESTORED].add(upload.file_id)  # not twice by a second click on a ticked box
    st.success(
        f"Restored {restored.rows:,} rows in {len(restored.tables)} tables from {upload.name}. "
        "If you are asked to sign in, use an account that is in the backup."
    )


@contextmanager
def _saved(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a file under its own name (so problems name it), removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(upload.name).name or "backup.zip")
        path.write_bytes(upload.getvalue())
        yield path


def _when(stamp: str) -> str:
    try:
        return f"on {datetime.fromisoformat(stamp):%d %B %Y at %H:%M} UTC"
    except ValueError:
        return "at an unknown time"

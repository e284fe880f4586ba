"""Anonymous peer labels ("School A", "School B"...) in an order only the server's secret decides.

The order is keyed per compared school with an HMAC of the server's key, so a user cannot tell from
the labels which peer is which; the key is made once and kept in ``settings`` for every replica.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

import sqlalchemy as sa

from data.comparison_view import Peer
from data.db import Database
from data.tables import settings


def peer_labels(
    db: Database, urn: str, peer_urns: list[str], named: set[str], with_result: set[str], names: dict[str, str]
) -> tuple[Peer, ...]:
    """Named where the actor may, else labelled in an order keyed by the server's secret."""
    key = _label_key(db)
    hidden = sorted(set(peer_urns) - named, key=lambda u: hmac.new(key, f"{urn}:{u}".encode(), hashlib.sha256).digest())
    out = [Peer(names[u], u, u in with_result) for u in sorted(named, key=lambda u: names[u])]
    return tuple(out + [Peer(f"School {_letters(i)}", None, u in with_result) for i, u in enumerate(hidden)])


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, as spreadsheet columns."""
    text = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        text = chr(65 + rest) + text
    return text


_KEY_LOCK = threading.Lock()
_KEYS: dict[str, bytes] = {}


def _label_key(db: Database) -> bytes:
    """The server's secret for ordering anonymous labels: made once, stored in settings, shared by replicas."""
    with _KEY_LOCK:
        if db.url not in _KEYS:
            query = sa.select(settings.c.value).where(settings.c.key == "peer_label_key")
            with db.read() as conn:
                value = conn.execute(query).scalar()
            if value is None:
                with db.write() as conn:
                    value = conn.execute(query).scalar()
                    if value is None:
                        value = secrets.token_hex(32)
                        conn.execute(sa.insert(settings).values(key="peer_label_key", value=value))
            _KEYS[db.url] = bytes.fromhex(value)
        return _KEYS[db.url]

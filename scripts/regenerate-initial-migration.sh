#!/usr/bin/env bash
# Until the first release, the initial migration is regenerated from data/tables.py.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f data/migrations/versions/0001_*.py
SEND_REVIEW_DB="$tmp/gen.db" .venv/bin/python - <<'PY'
from alembic import command
from data.db import Database
from data.schema import alembic_config
with Database().engine.begin() as conn:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
f=$(ls data/migrations/versions/0001_*.py)
sed -i "s/server_default=sa.text('0')/server_default=sa.false()/g; s/server_default=sa.text('1')/server_default=sa.true()/g" "$f"
.venv/bin/ruff format -q "$f"
rm -rf "$tmp"

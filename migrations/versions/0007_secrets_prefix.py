"""secrets prefix: stored secrets become enc:v1:<Fernet token>

Revision ID: 0007_secrets_prefix
Revises: 0004_session_version
Create Date: 2026-12-02 15:45:00

Until now a value starting with "gAAAAA" was taken as encrypted, so a secret that merely looked like a
Fernet token was kept in plaintext and then could not be read. Values this app encrypted (they open with
the app's ENCRYPTION_KEYS) get the prefix; everything else is plaintext written by SQL, which keeps
working and is encrypted on the next save. Downgrade strips the prefix again.
"""

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import InvalidToken
from flask import current_app

revision = "0007_secrets_prefix"
down_revision = "0004_session_version"
branch_labels = None
depends_on = None

PREFIX = "enc:v1:"
SECRET_COLUMNS = (("chatwoot_configs", ("api_access_token", "webhook_secret")),
                  ("notification_settings", ("chatwoot_api_token",)))


def _opens(fernet, value: str) -> bool:
    try:
        fernet.decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True


def _convert(change) -> None:
    bind = op.get_bind()
    for table, columns in SECRET_COLUMNS:
        for column in columns:
            rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
            for row_id, value in rows:
                new = change(value)
                if new != value:
                    bind.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),
                                 {"v": new, "id": row_id})


def upgrade():
    # The app's keys, as migrations/env.py runs inside the Flask app.
    from app.crypto import fernet_for

    fernet = fernet_for(current_app.config["ENCRYPTION_KEYS"])
    _convert(lambda v: PREFIX + v if not v.startswith(PREFIX) and _opens(fernet, v) else v)


def downgrade():
    _convert(lambda v: v[len(PREFIX):] if v.startswith(PREFIX) else v)

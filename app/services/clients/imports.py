"""CSV imports: each row is kept or rejected with its reason; a file that cannot be read changes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import Tenant
from app.services.clients.records import RecordError, Upserted, upsert_appointment, upsert_client

CLIENT_COLUMNS = {"required": {"first_name", "phone"},
                  "known": {"id", "first_name", "last_name", "phone", "email", "marketing_opt_out"}}
APPOINTMENT_COLUMNS = {"required": {"id", "starts_at"},
                       "known": {"id", "client_id", "client_phone", "starts_at", "ends_at", "service_name",
                                 "staff_name", "status"}}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, not CSV, missing columns)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def read_csv(path: Path, columns: dict) -> list[dict]:
    """Rows as dicts with lower-cased headers; raises ImportFileError for a file we cannot use."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = columns["required"] - headers
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(sorted(missing))}")
    unknown = headers - columns["known"]
    if unknown:
        raise ImportFileError(f"unknown column(s): {', '.join(sorted(unknown))}")
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _import_rows(tenant: Tenant, rows: list[dict], key: Callable[[dict], str],
                 upsert: Callable[[Tenant, dict], Upserted]) -> ImportReport:
    report, seen = ImportReport(), {}
    for line, row in enumerate(rows, start=2):
        row_key = key(row)
        if row_key and row_key in seen:
            report.rejected.append((line, f"duplicate of line {seen[row_key]} in this file"))
            continue
        try:
            with db.session.begin_nested():
                result = upsert(tenant, row)
        except RecordError as exc:
            report.rejected.append((line, str(exc)))
            continue
        except SQLAlchemyError as exc:
            report.rejected.append((line, f"database refused the row: {exc.__class__.__name__}"))
            continue
        seen[row_key] = line
        report.created += result.created
        report.updated += not result.created
    return report


def import_clients(tenant: Tenant, path: Path) -> ImportReport:
    rows = read_csv(path, CLIENT_COLUMNS)
    return _import_rows(tenant, rows, lambda r: r.get("id") or r.get("phone", ""), upsert_client)


def import_appointments(tenant: Tenant, path: Path) -> ImportReport:
    rows = read_csv(path, APPOINTMENT_COLUMNS)
    return _import_rows(tenant, rows, lambda r: r.get("id", ""), upsert_appointment)

"""CSV imports: each row is kept or rejected with its reason; a file that cannot be read changes nothing.

The caller commits batch by batch (import_batch), so a long file never holds the write lock for long and
webhooks keep being stored while it runs."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.extensions import db
from app.models import Tenant
from app.services.clients.records import RecordError, Upserted, upsert_appointment, upsert_client
from app.transactions import is_busy

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
    seen: dict[str, int] = field(default_factory=dict)  # row key -> line of the row that took it
    rows: int = 0  # rows read, whatever became of them

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def committed(self) -> int:
        return self.created + self.updated

    def add(self, batch: ImportReport) -> None:
        """Count a batch once its transaction has committed."""
        self.created += batch.created
        self.updated += batch.updated
        self.rejected += batch.rejected
        self.seen.update(batch.seen)
        self.rows += batch.rows


@dataclass(frozen=True)
class ImportPlan:
    """The rows of a file and how each is keyed (for duplicates within the file) and stored."""

    rows: list[dict]
    key: Callable[[dict], str]
    upsert: Callable[[Tenant, dict], Upserted]


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


def import_batch(tenant: Tenant, plan: ImportPlan, start: int, seen: dict[str, int], size: int,
                 seconds: float) -> ImportReport:
    """Upsert rows from `start` on (flush only), at most `size` rows and about `seconds` long, so the caller's
    transaction holds the write lock briefly; `seen` holds the keys of earlier committed batches.

    A refused row is rolled back to its savepoint and reported; a busy database is not a row's fault, so it
    propagates for the caller to roll the whole batch back and try again."""
    report, deadline = ImportReport(), time.monotonic() + seconds
    for line, row in enumerate(plan.rows[start:start + size], start=start + 2):
        if report.rows and time.monotonic() > deadline:
            break
        report.rows += 1
        row_key = plan.key(row)
        earlier = seen.get(row_key) or report.seen.get(row_key)
        if row_key and earlier:
            report.rejected.append((line, f"duplicate of line {earlier} in this file"))
            continue
        try:
            with db.session.begin_nested():
                result = plan.upsert(tenant, row)
        except RecordError as exc:
            report.rejected.append((line, str(exc)))
            continue
        except SQLAlchemyError as exc:
            if isinstance(exc, OperationalError) and is_busy(exc):
                raise
            report.rejected.append((line, f"database refused the row: {exc.__class__.__name__}"))
            continue
        report.seen[row_key] = line
        report.created += result.created
        report.updated += not result.created
    return report


def client_import(path: Path) -> ImportPlan:
    rows = read_csv(path, CLIENT_COLUMNS)
    return ImportPlan(rows, lambda r: r.get("id") or r.get("phone", ""), upsert_client)


def appointment_import(path: Path) -> ImportPlan:
    rows = read_csv(path, APPOINTMENT_COLUMNS)
    return ImportPlan(rows, lambda r: r.get("id", ""), upsert_appointment)

"""Everything the desk holds, out to one file and back: backup and restore, and the way from SQLite
to PostgreSQL (or back).

The file is gzip-compressed JSON Lines: a header (format, version, the schema's migration head, the
row count of each table) and then one line per row, table by table in the order their foreign keys
need, rows by primary key — so the same data always gives the same file, whichever database it came
from. Values are written by column type (timestamps in UTC ISO 8601, dates ISO, bytes base64), never
by what a driver happens to return. Left out: derived state that restoring rebuilds (the
knowledge-base search index) or that is only worth something in the running process (flood
buckets, typing signals).

Restoring goes into an empty, migrated database of the same schema head, in one transaction: it
all lands or nothing does.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Connection, Date, LargeBinary, Table, func, insert, select, text

import otklik.models  # noqa: F401  (every table in the metadata)
from otklik.core.db import Base, UTCDateTime
from otklik.core.errors import InvalidInput
from otklik.core.migrate import head_revision
from otklik.kb.models import SearchVector

FORMAT = "otklik-export"
VERSION = 1
#: process-local or rebuilt on restore: never exported
SKIPPED_TABLES = frozenset({"rate_buckets", "live_signals"})
BATCH = 500

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class Header:
    schema: str
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def tables() -> list[Table]:
    """The tables an export holds, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if not isinstance(c.type, SearchVector)]


def _out(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return value.isoformat()
    if isinstance(kind, Date) and isinstance(value, date):
        return value.isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _in(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value


def _line(item: dict[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def count_rows(connection: Connection) -> dict[str, int]:
    return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()}


def export(connection: Connection, target: IO[bytes], progress: Progress | None = None) -> Header:
    """Write every row to ``target`` (a binary stream); returns what was written."""
    header = Header(head_revision(), count_rows(connection))
    with gzip.GzipFile(filename="", fileobj=target, mode="wb", mtime=0) as out:
        out.write(_line({"format": FORMAT, "version": VERSION, "schema": header.schema, "counts": header.counts}))
        for table in tables():
            columns = _columns(table)
            query = select(*columns).order_by(*table.primary_key.columns)
            for row in connection.execute(query.execution_options(yield_per=BATCH)):
                values = {c.name: _out(c, v) for c, v in zip(columns, row, strict=True)}
                out.write(_line({"t": table.name, "r": values}))
                if progress:
                    progress(table.name, 1)
    return header


def export_file(connection: Connection, path: Path, progress: Progress | None = None) -> Header:
    with path.open("wb") as target:
        return export(connection, target, progress)


def read_header(path: Path) -> Header:
    try:
        with gzip.open(path, "rb") as source:
            return _header(source.readline())
    except (OSError, EOFError):
        raise InvalidInput("not_an_export", detail="not gzip") from None


def _header(line: bytes) -> Header:
    try:
        head = json.loads(line)
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise InvalidInput("not_an_export", detail="header")
    if head.get("version") != VERSION:
        raise InvalidInput("not_an_export", detail=f"version {head.get('version')}")
    return Header(str(head["schema"]), {str(k): int(v) for k, v in dict(head["counts"]).items()})


def _rows(source: Iterable[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
    number = 1
    try:
        for line in source:
            number += 1
            item = json.loads(line)
            yield str(item["t"]), dict(item["r"])
    except (ValueError, KeyError, TypeError, OSError, EOFError):  # a damaged line, or a gzip stream cut short
        raise InvalidInput("not_an_export", detail=f"line {number}") from None


def restore(connection: Connection, path: Path, progress: Progress | None = None) -> Header:
    """Insert every row of the export at ``path`` into the empty database behind ``connection``
    (the caller commits). Raises ``InvalidInput`` for a damaged file, another schema head or a database
    that already holds data — before anything is written."""
    by_name = {t.name: t for t in tables()}
    read_header(path)  # a file that is no gzip is named before anything else
    with gzip.open(path, "rb") as source:
        header = _header(source.readline())
        if header.schema != head_revision():
            raise InvalidInput("export_schema_mismatch", export=header.schema, database=head_revision())
        busy = {name: n for name, n in count_rows(connection).items() if n}
        if busy:
            raise InvalidInput("database_not_empty", tables=", ".join(f"{k} {v}" for k, v in sorted(busy.items())))
        batch: list[dict[str, Any]] = []
        current: Table | None = None
        for name, row in _rows(source):
            table = by_name.get(name)
            if table is None:
                raise InvalidInput("not_an_export", detail=f"table {name}")
            if table is not current and batch and current is not None:
                connection.execute(insert(current), batch)
                batch = []
            current = table
            batch.append({c.name: _in(c, row.get(c.name)) for c in _columns(table)})
            if len(batch) >= BATCH:
                connection.execute(insert(table), batch)
                batch = []
            if progress:
                progress(name, 1)
        if batch and current is not None:
            connection.execute(insert(current), batch)
    _advance_sequences(connection)
    return header


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences that explicit ids do not move: set each past the
    largest id restored (SQLite takes the largest id + 1 by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar_one()
            if sequence:
                top = connection.execute(select(func.max(column))).scalar()
                connection.execute(
                    text("SELECT setval(:sequence, :next, false)"), {"sequence": sequence, "next": (top or 0) + 1}
                )

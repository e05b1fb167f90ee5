"""The last step of the pipeline: publish the marts for BI, and remember what they were built from.

`redcat.publish.publish_marts` writes the BI copy (DuckDB v1.0 storage and
Parquet, each swapped in whole). Beside it, `publication.json` records when
it was published and the rows of every raw table it was built from: the
baseline of the next run's volume gate (`redcat.pipeline.gates`). It is
written after the copy, by a rename, so it never describes a publication that
is not there; a run that stops at a gate leaves both as they were.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from redcat.publish import Publication, publish_marts, published_dir

RECORD_FILE = "publication.json"


@dataclass(frozen=True)
class PublicationRecord:
    """What the current BI publication was built from."""

    published_at: str  # ISO 8601, UTC
    raw_source: str  # "load": loaded raw data; "sample": the committed seeds
    raw_rows: dict[str, int]  # raw table (`<source>__<table>`) -> rows delivered


def record_path(db_path: Path) -> Path:
    return published_dir(db_path) / RECORD_FILE


def read_publication_record(db_path: Path) -> PublicationRecord | None:
    """The record of the warehouse's current publication; None if there is none (or unreadable)."""
    try:
        data = json.loads(record_path(db_path).read_text(encoding="utf-8"))
        return PublicationRecord(
            published_at=str(data["published_at"]),
            raw_source=str(data["raw_source"]),
            raw_rows={str(k): int(v) for k, v in dict(data["raw_rows"]).items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_record(path: Path, record: PublicationRecord) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(
        json.dumps(
            {
                "published_at": record.published_at,
                "raw_source": record.raw_source,
                "raw_rows": record.raw_rows,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    os.replace(partial, path)


def publish_for_bi(
    db_path: Path,
    *,
    raw_source: str,
    raw_rows: Mapping[str, int],
    day_columns: Mapping[str, str] | None = None,
) -> tuple[Publication, PublicationRecord]:
    """Publish schema `marts` for BI, then record what it was built from.

    `day_columns` (relation -> day column): the relations partitioned by day whose
    changed days only are written again into a copy of the previous publication.
    """
    publication = publish_marts(db_path, day_columns=day_columns)
    record = PublicationRecord(
        published_at=datetime.now(UTC).isoformat(timespec="seconds"),
        raw_source=raw_source,
        raw_rows=dict(raw_rows),
    )
    _write_record(publication.directory / RECORD_FILE, record)
    return publication, record

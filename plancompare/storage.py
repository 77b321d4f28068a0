"""Writing outputs safely: every file goes to a temporary name first and is renamed into place."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # pandas is imported by the callers that write tables; a no-op run never is
    import pandas as pd
    import pyarrow as pa

# Temporary files start with a dot and end with this suffix, so a killed run's leftovers are
# recognisable (and never served: the index links only final names).
TMP_SUFFIX = ".tmp"


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write bytes to path via a temporary file in the same folder and an atomic rename.

    `durable` also flushes the file to disk before the rename (skipped for caches, which are
    rebuilt when they are found unreadable).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, durable: bool = True) -> None:
    """Write UTF-8 text to path atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), durable)


# libyaml's parser when PyYAML was built with it: the same data, about ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str | bytes) -> Any:
    """Return the data of a YAML document (safe loading)."""
    return yaml.load(text, Loader=YAML_LOADER)


def write_json(path: Path, data: Any, durable: bool = True) -> None:
    """Write data as sorted, indented UTF-8 JSON, atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_text(path, text, durable)


def write_csv(path: Path, df: pd.DataFrame) -> None:
    """Write a table as UTF-8 CSV (LF line ends, no index), atomically."""
    atomic_write_text(path, df.to_csv(index=False, lineterminator="\n"))


def write_parquet(path: Path, df: pd.DataFrame | pa.Table) -> None:
    """Write a table (pandas or Arrow) as Parquet, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    os.close(fd)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False) if hasattr(df, "to_parquet") else df
        # No column statistics: nothing reads these files by predicate, and they cost time.
        pq.write_table(table, tmp, write_statistics=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


PARQUET_MAGIC = b"PAR1"


def parquet_whole(path: Path) -> bool:
    """Return whether a file looks like a whole Parquet file: its magic bytes at both ends.

    A cheap check (no pyarrow): a file cut short by a crash or a full disk, or empty, fails it.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(0, os.SEEK_END)
            if fh.tell() < 12:
                return False
            fh.seek(-4, os.SEEK_END)
            return head == PARQUET_MAGIC and fh.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def json_object(path: Path) -> dict | None:
    """Return the JSON object in a file, or None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def remove_temporary_files(folder: Path) -> list[Path]:
    """Delete the temporary files that interrupted writes left under folder; return them."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    left = [p for p in folder.rglob(f".*{TMP_SUFFIX}") if p.is_file()]
    for p in left:
        p.unlink(missing_ok=True)
    return left

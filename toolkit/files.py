"""Writing a file so that it is whole or absent: never half-written when the process dies midway."""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings


@contextmanager
def written_whole(path: Path, *, durable: bool = False) -> Iterator[BinaryIO]:
    """A file to write beside ``path`` under a temporary name, renamed to ``path`` when the block ends
    well and removed when it fails. ``durable`` also flushes it to disk first (for files a user
    keeps; the thousands of statements of a print run skip it)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    # os.open with 0o666 lets the umask decide the permissions, as for any file the user writes.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_whole(path: Path, content: bytes, *, durable: bool = False) -> None:
    with written_whole(path, durable=durable) as handle:
        handle.write(content)


def files_root() -> Path:
    """Where Minka keeps the files it makes (statements, packs, minutes, letters, exports, uploads):
    MINKA_MEDIA_ROOT, one directory every web and worker machine mounts, or else the data folder."""
    return Path(settings.MINKA_MEDIA_ROOT or settings.VAR_DIR)

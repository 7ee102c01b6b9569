"""The hash chain: each entry's hash covers its content and the previous entry's hash.

One canonical serialization is used when posting and when verifying, so a
changed amount, account, date or text anywhere changes that entry's hash and
breaks the chain from there on.
"""

import hashlib
import json
from datetime import date

GENESIS_HASH = "0" * 64


def entry_hash(
    *,
    previous_hash: str,
    number: int,
    date: date,
    description: str,
    source_key: str,
    reverses_number: int | None,
    lines: list[tuple[str, str, int]],
) -> str:
    """sha256 of the previous hash and the entry's content; ``lines`` are (account code, currency, amount)."""
    content = {
        "number": number,
        "date": date.isoformat(),
        "description": description,
        "source_key": source_key,
        # The reversed entry's number, not its row id: ids need not survive a dump and reload.
        "reverses": reverses_number,
        "lines": sorted([code, currency, int(amount)] for code, currency, amount in lines),
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()

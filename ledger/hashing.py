"""The hash chain: each entry's hash covers its content and the previous entry's hash.

One canonical serialization is used when posting and when verifying, so a
changed amount, account, date or text anywhere changes that entry's hash and
breaks the chain from there on.

Two versions exist. Version 1 (the first entries of a ledger that predates it)
covers number, date, description, source document, reversed entry and each
line's account, currency and amount. Version 2 also covers who posted the
entry, when, and every line's memo. The counter row keeps the first entry number
hashed with version 2 (``EntryCounter.hash_v2_from``); entries before it verify
under version 1, so history is never rewritten to move to the new version.
"""

import hashlib
import json
from datetime import UTC, date, datetime

GENESIS_HASH = "0" * 64
CURRENT_VERSION = 2


def entry_hash(
    *,
    previous_hash: str,
    number: int,
    date: date,
    description: str,
    source_key: str,
    reverses_number: int | None,
    lines: list[tuple],
    version: int = CURRENT_VERSION,
    posted_by: int | None = None,
    posted_at: datetime | None = None,
) -> str:
    """sha256 of the previous hash and the entry's content.

    ``lines`` are (account code, currency, amount, memo); version 1 ignores the memo.
    ``posted_by`` is the user's id (a user renamed is still the same person).
    """
    content = {
        "number": number,
        "date": date.isoformat(),
        "description": description,
        "source_key": source_key,
        # The reversed entry's number, not its row id: ids need not survive a dump and reload.
        "reverses": reverses_number,
    }
    if version == 1:
        content["lines"] = sorted([line[0], line[1], int(line[2])] for line in lines)
    elif version == 2:
        content["v"] = 2
        content["posted_by"] = posted_by
        content["posted_at"] = canonical_moment(posted_at)
        content["lines"] = sorted(
            [line[0], line[1], int(line[2]), line[3] if len(line) > 3 else ""] for line in lines
        )
    else:
        raise ValueError(f"unknown hash version {version}")
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def canonical_moment(moment: datetime | None) -> str | None:
    """The moment in UTC to the microsecond, as both databases store and return it."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def version_for(number: int, v2_from: int) -> int:
    return 2 if number >= v2_from else 1

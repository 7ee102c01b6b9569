"""The cooperative's member code series: which code a new member gets («CHZ-00361» after «CHZ-00360»)."""

import re

DEFAULT_PREFIX = "SOC-"  # only for a register that has no member codes yet
DEFAULT_DIGITS = 5
_SERIES_CODE = re.compile(r"^(?P<prefix>.*?)(?P<number>[0-9]+)$")


def member_code_series(codes) -> tuple[str, int, int]:
    """The cooperative's member code series as (prefix, digits, last number): «CHZ-00360» gives
    ("CHZ-", 5, 360), so the next member is CHZ-00361. The series is the prefix most codes share (a
    tie goes to the one with the higher number); codes outside it (a second series, a code without a
    number) do not change it. A register without codes starts «SOC-00001»."""
    series: dict[str, list[int]] = {}  # prefix -> [how many codes, digits, last number]
    for code in codes:
        match = _SERIES_CODE.match(code)
        if not match:
            continue
        found = series.setdefault(match["prefix"], [0, 0, 0])
        found[0] += 1
        found[1] = max(found[1], len(match["number"]))
        found[2] = max(found[2], int(match["number"]))
    if not series:
        return DEFAULT_PREFIX, DEFAULT_DIGITS, 0
    prefix = max(series, key=lambda p: (series[p][0], series[p][2]))
    _count, digits, last = series[prefix]
    return prefix, digits, last

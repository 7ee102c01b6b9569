"""What every spreadsheet export (xlsx or csv) passes its cells through."""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralize(value):
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection).

    A plain signed number such as a longitude (-76.123456) is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralize_row(values) -> list:
    return [neutralize(value) for value in values]

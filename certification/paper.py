"""Verifying a paper document by the number and short code printed on it, for whoever has no QR reader.

A receipt (C01-000123), an issued document (EC-0000001) or an assembly's minutes (AG-000012) is found
by its number, and only if the short code printed beside it (toolkit.verification) matches: a number
alone says nothing about the document, not even whether it exists. The answer is the same page the QR
code opens.
"""

import re

from django.urls import reverse

from acopio.models import Delivery
from assemblies.models import MINUTES_PREFIX, Assembly, AssemblyStatus
from certification.models import IssuedDocument
from toolkit.verification import read_code, same_code

# Series or prefix, a dash (or a space), the number: «C01-000123», «c01 123», «EC-0000001».
_NUMBER = re.compile(r"([A-Z0-9]{2,4})\s*(?:[-‐‑–—]|\s)\s*(\d{1,9})")


def read_number(typed: str) -> tuple[str, int] | None:
    """A printed number as (series or prefix, number), or None if the text cannot be one."""
    found = _NUMBER.fullmatch((typed or "").strip().upper())
    return (found.group(1), int(found.group(2))) if found else None


def _candidates(prefix: str, number: int):
    """Every document printed with this number, as (its printed short code, its verification page)."""
    for delivery in Delivery.objects.filter(receipt_series=prefix, receipt_number=number):
        yield delivery.paper_code, reverse("receipt_verify", args=[delivery.verification_key])
    for document in IssuedDocument.objects.filter(number=f"{prefix}-{number:07d}"):
        yield document.paper_code, reverse("document_verify", args=[document.verification_key])
    if prefix == MINUTES_PREFIX:
        for assembly in Assembly.objects.filter(pk=number, status=AssemblyStatus.CLOSED):
            yield assembly.paper_code, reverse("minutes_verify", args=[assembly.verification_key])


def verification_page(*, number: str, code: str) -> str | None:
    """The verification page of the document printed with this number and this short code, or None.

    A receipt series and a document prefix may share letters (a centre's series «EC»): every document
    with the number is tried, and only the code tells them apart.
    """
    parsed, typed = read_number(number), read_code(code)
    if parsed is None or typed is None:
        return None
    for printed, page in _candidates(*parsed):
        if same_code(typed, read_code(printed)):
            return page
    return None

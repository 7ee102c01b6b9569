"""What verify_ledger checks of the documents Minka issued: each is as it was issued — its number,
kind, figures, verification code and file hash (what the public verification page confirms).
Issued documents are written once; every save seals them (toolkit.seals)."""

from certification.models import IssuedDocument
from toolkit.seals import ALL, check_sealed, register_sealed


def register() -> None:
    register_sealed(IssuedDocument, fields=(ALL,))


def check_issued_documents() -> str | None:
    return check_sealed(IssuedDocument)

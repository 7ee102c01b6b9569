"""Signed checkpoints: the chain's head written outside the database.

A checkpoint is a small JSON file with the last entry's number and hash, the date and the
cooperative, signed with the cooperative's Ed25519 key (environment variable
``MINKA_CHECKPOINT_KEY``). Kept away from the server (the certifier, a mail, a USB stick),
it proves later that the ledger still holds that entry with that hash: a restored old
backup, or entries deleted together with the counter, or a chain recomputed from some
point on, no longer matches it. The public key travels in the file; who checks it
compares it with the one the cooperative published (``checkpoint --public-key``).

Format 2 adds ``tables``: every append-only table's chain head (last row number and hash,
toolkit.row_chain), so rows lost from those tables after the checkpoint are seen too. A
format 1 file (no ``tables``) is still read and checked for the journal alone.
"""

import base64
import binascii
import json
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.models import JournalEntry
from ledger.verification import LedgerCheck
from toolkit.row_chain import chained_models, stored_hash

KEY_VARIABLE = "MINKA_CHECKPOINT_KEY"
KIND = "minka-ledger-checkpoint"
FORMAT_VERSION = 2


class CheckpointError(Exception):
    """A key or a checkpoint file that cannot be used; the message is for a person."""


# --- Keys -------------------------------------------------------------------------


def new_private_key() -> str:
    """A new private key as base64 of its 32 raw bytes, the form MINKA_CHECKPOINT_KEY takes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def private_key_from_environment() -> Ed25519PrivateKey:
    value = os.environ.get(KEY_VARIABLE, "").strip()
    if not value:
        raise CheckpointError(
            _(
                "Falta la clave privada de los puntos de control: defina la variable de entorno "
                "%(variable)s (cree una con «python manage.py checkpoint --new-key»)."
            )
            % {"variable": KEY_VARIABLE}
        )
    return parse_private_key(value)


def parse_private_key(value: str) -> Ed25519PrivateKey:
    """Base64 of the 32 raw bytes, or a PEM private key."""
    invalid = CheckpointError(
        _(
            "La variable %(variable)s no contiene una clave Ed25519 válida: se espera el texto que "
            "da «checkpoint --new-key» (base64 de 32 bytes) o una clave en formato PEM."
        )
        % {"variable": KEY_VARIABLE}
    )
    try:
        if value.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(value.encode(), password=None)
        else:
            raw = base64.b64decode(value, validate=True)
            if len(raw) != 32:
                raise invalid
            key = Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, TypeError, binascii.Error) as error:
        raise invalid from error
    if not isinstance(key, Ed25519PrivateKey):
        raise invalid
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()


# --- Writing and reading ------------------------------------------------------------


def _signed_bytes(document: dict) -> bytes:
    content = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def make_checkpoint(check: LedgerCheck, key: Ed25519PrivateKey) -> dict:
    """The signed checkpoint of a ledger that verified."""
    if not check.ok:
        raise CheckpointError(
            _("El libro mayor no pasa la verificación: no se firma un punto de control de un libro alterado.")
        )
    if check.last_number == 0:
        raise CheckpointError(_("El libro mayor no tiene asientos: todavía no hay nada que fijar."))
    now = timezone.localtime()
    document = {
        "kind": KIND,
        "format": FORMAT_VERSION,
        "cooperative": settings.MINKA_COOP_NAME,
        "date": now.date().isoformat(),
        "written_at": now.isoformat(timespec="seconds"),
        "entry_number": check.last_number,
        "entry_hash": check.last_hash,
        "hash_v2_from": check.hash_v2_from,
        "tables": {
            table: {"number": number, "hash": last_hash}
            for table, (number, last_hash) in sorted(check.chain_heads.items())
            if number
        },
        "public_key": public_key_text(key),
    }
    document["signature"] = base64.b64encode(key.sign(_signed_bytes(document))).decode()
    return document


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class Checkpoint:
    date: str
    cooperative: str
    entry_number: int
    entry_hash: str
    public_key: str
    # table -> (number, hash) of its last row when the checkpoint was written (format 2).
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)


def read_checkpoint(text: str, *, expected_public_key: str | None = None) -> Checkpoint:
    """Parse a checkpoint file and check its signature; refuse anything that does not hold."""
    try:
        document = json.loads(text)
        assert isinstance(document, dict) and document.get("kind") == KIND
        checkpoint = Checkpoint(
            date=str(document["date"]),
            cooperative=str(document["cooperative"]),
            entry_number=int(document["entry_number"]),
            entry_hash=str(document["entry_hash"]),
            public_key=str(document["public_key"]),
            tables={
                str(table): (int(head["number"]), str(head["hash"]))
                for table, head in dict(document.get("tables") or {}).items()
            },
        )
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint.public_key, validate=True))
        signature = base64.b64decode(str(document["signature"]), validate=True)
    except (AssertionError, ValueError, KeyError, TypeError, binascii.Error) as error:
        raise CheckpointError(_("El archivo no es un punto de control de Minka legible.")) from error
    try:
        public.verify(signature, _signed_bytes(document))
    except InvalidSignature as error:
        raise CheckpointError(
            _(
                "La firma del punto de control no es válida: "
                "el archivo fue modificado o no lo firmó esa clave."
            )
        ) from error
    if expected_public_key and expected_public_key.strip() != checkpoint.public_key:
        raise CheckpointError(
            _(
                "El punto de control está firmado con la clave pública %(found)s, no con la esperada "
                "%(expected)s."
            )
            % {"found": checkpoint.public_key, "expected": expected_public_key.strip()}
        )
    return checkpoint


def checkpoint_problem(checkpoint: Checkpoint, check: LedgerCheck) -> str | None:
    """What keeps the (verified) ledger from containing the checkpoint, or None."""
    about = {"date": checkpoint.date, "number": checkpoint.entry_number, "last": check.last_number}
    if checkpoint.cooperative != settings.MINKA_COOP_NAME:
        return _("El punto de control es de «%(checkpoint)s», no de «%(coop)s».") % {
            "checkpoint": checkpoint.cooperative,
            "coop": settings.MINKA_COOP_NAME,
        }
    if check.last_number < checkpoint.entry_number:
        return (
            _(
                "El punto de control del %(date)s registra el asiento %(number)s, pero el libro termina "
                "en el asiento %(last)s: se perdieron asientos posteriores (¿se restauró una copia antigua?)."
            )
            % about
        )
    stored = (
        JournalEntry.objects.filter(number=checkpoint.entry_number).values_list("hash", flat=True).first()
    )
    if stored != checkpoint.entry_hash:
        return (
            _(
                "El asiento %(number)s no tiene el hash que registró el punto de control del %(date)s: "
                "el libro fue reescrito desde entonces."
            )
            % about
        )
    return _tables_problem(checkpoint, check)


def _tables_problem(checkpoint: Checkpoint, check: LedgerCheck) -> str | None:
    """The first append-only table that no longer holds the row the checkpoint recorded."""
    models = {model._meta.db_table: model for model in chained_models()}
    for table, (number, recorded_hash) in sorted(checkpoint.tables.items()):
        last = check.chain_heads.get(table, (0, ""))[0]
        about = {"table": table, "date": checkpoint.date, "number": number, "last": last}
        if last < number or table not in models:
            return (
                _(
                    "Tabla %(table)s: el punto de control del %(date)s registra la fila %(number)s, pero la "
                    "tabla termina en la fila %(last)s: se perdieron filas posteriores "
                    "(¿se restauró una copia antigua?)."
                )
                % about
            )
        if stored_hash(models[table], number) != recorded_hash:
            return (
                _(
                    "Tabla %(table)s, fila %(number)s: no tiene el hash que registró el punto de control "
                    "del %(date)s: la tabla fue reescrita desde entonces."
                )
                % about
            )
    return None

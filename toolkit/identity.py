"""Peruvian identity numbers: the national ID (DNI, 8 digits) and the taxpayer number (RUC, 11 digits
with SUNAT's check digit)."""

from django.utils.translation import gettext as _

RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
RUC_PREFIXES = ("10", "15", "16", "17", "20")


def ruc_check_digit(first_ten: str) -> str:
    """SUNAT's check digit for the first ten digits of a RUC (modulus 11; 10 → 0 and 11 → 1)."""
    return str((11 - sum(int(d) * w for d, w in zip(first_ten, RUC_WEIGHTS, strict=True)) % 11) % 10)


def ruc_problem(ruc: str) -> str | None:
    """Why a Peruvian taxpayer number (RUC) is not valid, or None: 11 digits, known prefix, check digit."""
    if len(ruc) != 11 or not ruc.isdigit():
        return _("El RUC tiene 11 dígitos.")
    if not ruc.startswith(RUC_PREFIXES):
        return _("El RUC empieza con 10, 15, 16, 17 o 20.")
    if ruc_check_digit(ruc[:10]) != ruc[10]:
        return _("El RUC %(ruc)s no es válido (dígito verificador).") % {"ruc": ruc}
    return None


def dni_problem(dni: str) -> str | None:
    """Why a national ID (DNI) is not valid, or None: exactly 8 digits."""
    if len(dni) != 8 or not dni.isdigit():
        return _("El DNI debe tener exactamente 8 dígitos.")
    return None


def dni_or_ruc_problem(document: str) -> str | None:
    """Why ``document`` is neither a DNI (8 digits) nor a RUC (11 digits, SUNAT's check digit), or None."""
    if document.isdigit() and len(document) == 8:
        return dni_problem(document)
    if document.isdigit() and len(document) == 11:
        return ruc_problem(document)
    return _(
        "DNI o RUC: escriba el DNI (8 dígitos) de una persona o el RUC (11 dígitos) de una organización."
    )

"""Peru's taxpayer number (RUC): is it well formed, and its check digit."""

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

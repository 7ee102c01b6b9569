"""Peru's taxpayer number (RUC): kept in toolkit.identity, which acopio's supplier register uses too."""

from toolkit.identity import RUC_PREFIXES, RUC_WEIGHTS, ruc_check_digit, ruc_problem

__all__ = ["RUC_PREFIXES", "RUC_WEIGHTS", "ruc_check_digit", "ruc_problem"]

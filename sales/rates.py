"""Soles per US dollar by date: importing the SBS table and reading the rate of a day.

SBS publishes on business days; a weekend or holiday takes the last rate
published before it, up to a week back, and never a guess beyond that.
"""

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sales.models import ExchangeRate
from toolkit.numbers import SOLES_PER_DOLLAR, number_from_cell
from toolkit.spreadsheets import (
    CellError,
    ProblemReport,
    cell_text,
    parse_date,
    read_keyed_table,
)

MAX_DAYS_BACK = 7
HEADERS = {"fecha": "date", "compra": "buy", "venta": "sell", "tc compra": "buy", "tc venta": "sell"}
PLAUSIBLE_RATE = SOLES_PER_DOLLAR


@dataclass
class RatesReport(ProblemReport):
    created: int = 0


def rate_on(day: Date) -> ExchangeRate:
    rate = ExchangeRate.objects.filter(date__lte=day, date__gte=day - timedelta(days=MAX_DAYS_BACK)).first()
    if rate is None:
        raise ValidationError(
            _(
                "No hay tipo de cambio registrado para el %(date)s ni en los %(days)s días anteriores: "
                "importe la tabla de la SBS."
            )
            % {"date": day.strftime("%d/%m/%Y"), "days": MAX_DAYS_BACK}
        )
    return rate


def import_exchange_rates(*, source: bytes, filename: str, dry_run: bool = False) -> RatesReport:
    """All or nothing: every row named if wrong; a day already recorded with other figures is refused."""
    report = RatesReport(filename=filename, dry_run=dry_run)
    table = read_keyed_table(
        source,
        filename,
        lookup=HEADERS,
        anchors={"date", "buy", "sell"},
        report=report,
        # Column names are the file's own (a data format), here and in the problems below.
        no_header=_("La hoja necesita las columnas «%(date)s», «%(buy)s» y «%(sell)s».")
        % {"date": "Fecha", "buy": "Compra", "sell": "Venta"},
    )
    if table is None:
        return report
    existing = {r.date: r for r in ExchangeRate.objects.all()}
    new, seen = [], set()
    for number, values in table.rows:
        report.rows += 1
        row = _row(number, values, report)
        if row is None:
            continue
        if row.date in seen:
            report.error(
                number,
                "Fecha",
                _("El %(date)s está dos veces en el archivo.") % {"date": row.date.strftime("%d/%m/%Y")},
            )
        seen.add(row.date)
        known = existing.get(row.date)
        if known is None:
            new.append(row)
        elif (known.buy, known.sell) != (row.buy, row.sell):
            report.error(
                number,
                "Fecha",
                _("El %(date)s ya está registrado con compra %(buy)s y venta %(sell)s.")
                % {"date": row.date.strftime("%d/%m/%Y"), "buy": known.buy, "sell": known.sell},
            )
    if report.ok and not dry_run:
        with transaction.atomic():
            ExchangeRate.objects.bulk_create(new)
    report.created = len(new) if report.ok else 0
    return report


def _row(number: int, values: dict, report: ProblemReport) -> ExchangeRate | None:
    try:
        day = parse_date(values.get("date"))
    except CellError as exc:
        report.error(number, "Fecha", str(exc))
        return None
    if day is None:
        report.error(number, "Fecha", _("Falta la fecha."))
        return None
    figures = {}
    for key, header in (("buy", "Compra"), ("sell", "Venta")):
        text = cell_text(values.get(key))
        try:
            figures[key] = number_from_cell(values.get(key), max_decimals=4, between=PLAUSIBLE_RATE)
        except ValidationError as exc:
            report.error(number, header, exc.messages[0])
            continue
        if figures[key] is None:
            report.error(number, header, _("Falta el tipo de cambio."))
            figures.pop(key)
            continue
        if not PLAUSIBLE_RATE[0] < figures[key] < PLAUSIBLE_RATE[1]:
            report.error(
                number,
                header,
                _("%(text)s soles por dólar no es un tipo de cambio plausible.") % {"text": text},
            )
            figures.pop(key)
    if len(figures) < 2:
        return None
    return ExchangeRate(date=day, buy=figures["buy"], sell=figures["sell"])

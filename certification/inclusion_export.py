"""The inclusion figures as an xlsx workbook (``manage.py export_inclusion``, the page's download).

One sheet, one row a figure: women, men, each age band, the total, the women's and youth's share;
a second sheet with the period before. Every cell passes through ``toolkit.spreadsheets.neutralize``.
"""

import io
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from certification import inclusion
from coop.models import Sex
from toolkit.spreadsheets import neutralize

FORMATS = {
    inclusion.COUNT: "#,##0",
    inclusion.KG: "#,##0.000",
    inclusion.MONEY: "#,##0.00",
    inclusion.HECTARES: "#,##0.0000",
    inclusion.PERCENT: "0.0",
}


def cell_value(kind: str, value):
    """A figure as the number the sheet holds: kilos (not grams), soles (not céntimos)."""
    if value is None:
        return None
    if kind == inclusion.KG:
        return Decimal(value) / 1000
    if kind == inclusion.MONEY:
        return Decimal(value) / 100
    return value


def unit(kind: str) -> str:
    return {
        inclusion.COUNT: "",
        inclusion.KG: "kg",
        inclusion.MONEY: "S/",
        inclusion.HECTARES: "ha",
        inclusion.PERCENT: "%",
    }[kind]


def _sheet(ws, report: inclusion.InclusionReport, made_at: datetime) -> None:
    def put(row: int, column: int, value, *, bold: bool = False, number_format: str | None = None):
        cell = ws.cell(row=row, column=column, value=neutralize(value))
        if bold:
            cell.font = Font(bold=True)
        if number_format and isinstance(value, int | Decimal):
            cell.number_format = number_format

    put(1, 1, _("Participación por sexo y edad — %(period)s") % {"period": report.period.label}, bold=True)
    put(
        2,
        1,
        _("Del %(start)s al %(end)s. Hecho el %(made)s.")
        % {
            "start": report.period.start.strftime("%d/%m/%Y"),
            "end": report.period.end.strftime("%d/%m/%Y"),
            "made": made_at.strftime("%d/%m/%Y %H:%M"),
        },
    )
    put(3, 1, inclusion.reference_day_note(report.period))
    sex_names = {
        Sex.FEMALE: _("Mujeres"),
        Sex.MALE: _("Hombres"),
        inclusion.UNKNOWN_SEX: _("Sexo sin registrar"),
    }
    headers = [_("Sección"), _("Cifra"), _("Unidad")]
    headers += [sex_names[key] for key in report.sex_keys]
    headers += [report.band_label(key) for key in report.band_keys]
    headers += [_("Total"), _("% mujeres"), _("%% %(band)s") % {"band": report.bands[0].label}]
    for column, text in enumerate(headers, start=1):
        put(5, column, text, bold=True)
    for row, figure in enumerate(report.figures, start=6):
        kind = figure.spec.kind
        values = [figure.by_sex[key] for key in report.sex_keys]
        values += [figure.by_band[key] for key in report.band_keys]
        line = [str(figure.spec.section), str(figure.spec.label), unit(kind)]
        line += [cell_value(kind, v) for v in values] + [cell_value(kind, figure.total)]
        line += [figure.women_share, figure.youth_share]
        for column, value in enumerate(line, start=1):
            shown = FORMATS[inclusion.PERCENT] if column > len(line) - 2 else FORMATS[kind]
            put(row, column, value, number_format=shown)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 48
    for letter in "CDEFGHIJKLMN":
        ws.column_dimensions[letter].width = 16


def inclusion_workbook(period: inclusion.Period, *, made_at: datetime | None = None) -> bytes:
    """The period's inclusion figures (and the period before's) as xlsx bytes, in Spanish."""
    made_at = timezone.localtime(made_at or timezone.now())
    with translation.override("es"):
        report = inclusion.add_office_figures(inclusion.inclusion_report(period))
        book = Workbook()
        book.remove(book.active)
        _sheet(book.create_sheet(_("Inclusión")), report, made_at)
        if report.previous is not None:
            _sheet(book.create_sheet(_("Periodo anterior")), report.previous, made_at)
        book.properties.title = _("Participación por sexo y edad — %(period)s") % {"period": period.label}
    book.properties.creator = f"Minka {settings.MINKA_VERSION}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

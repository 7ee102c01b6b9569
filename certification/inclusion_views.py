"""The inclusion page: participation by sex and age band, for a season or a date range (issue 20).

Read-only for the board, oversight and certifiers; administration also sets the age bands. Each
figure opens the list of the members behind it, read-only.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from certification import inclusion
from certification.inclusion_export import inclusion_workbook
from certification.services import set_age_bands
from certification.views import XLSX, log_download
from coop.models import Season, Sex
from toolkit.charts import Share, share_chart
from toolkit.dates import TypedDateField
from toolkit.numbers import TypedNumberField, parse_whole
from toolkit.replica import reads_reports
from toolkit.roles import ADMINISTRATOR, REVIEWERS, has_role, role_required
from toolkit.views import query_without_page

INCLUSION_READERS = REVIEWERS  # administration, board, oversight, certifiers
BAND_ROWS = 6
SEX_PARAM = {"F": Sex.FEMALE, "M": Sex.MALE, "X": inclusion.UNKNOWN_SEX}
BAND_PARAM = {"fuera": inclusion.OUTSIDE, "sin": inclusion.UNKNOWN_AGE}


class RangeForm(forms.Form):
    desde = TypedDateField(label=_("Desde"), required=False)
    hasta = TypedDateField(label=_("Hasta"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("desde"), data.get("hasta")
        if bool(start) != bool(end) and not self.errors:
            raise ValidationError(_("Para un periodo de fechas indique «Desde» y «Hasta»."))
        if start and end and start > end:
            raise ValidationError(_("La fecha «Desde» es posterior a la fecha «Hasta»."))
        if start and end and (end - start).days > 3660:
            raise ValidationError(_("El periodo puede abarcar como máximo diez años."))
        return data


def chosen_period(request) -> tuple[inclusion.Period | None, list[Season], Season | None, RangeForm]:
    """The period a page's query names: ``desde``/``hasta`` when both are there and valid, otherwise
    the season ``campana`` (the newest when none)."""
    seasons, season = Season.chosen(request.GET.get("campana"))
    form = RangeForm(request.GET if ("desde" in request.GET or "hasta" in request.GET) else None)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("desde"):
        return inclusion.Period(form.cleaned_data["desde"], form.cleaned_data["hasta"]), seasons, None, form
    return (inclusion.season_period(season) if season else None), seasons, season, form


def period_query(period: inclusion.Period) -> dict:
    if period.season is not None:
        return {"campana": period.season.code}
    return {"desde": period.start.strftime("%d/%m/%Y"), "hasta": period.end.strftime("%d/%m/%Y")}


# Figures whose members have no figure of their own to show beside them in the list.
VALUELESS = {"activos", "nuevos", "retirados", "fallecidos", "con_entregas", "con_prima"}


def sex_label(key: str) -> str:
    return {Sex.FEMALE: gettext("Mujeres"), Sex.MALE: gettext("Hombres")}.get(key, gettext("Sin registrar"))


def _pct(value) -> str:
    return "—" if value is None else f"{value} %"


def _change(now, before):
    if now is None or before is None:
        return None
    return now - before


def figure_rows(report: inclusion.InclusionReport, *, split: str, base: str) -> list[dict]:
    """The rows of the page's table by sex (``split="sex"``) or by band, each cell with its link."""
    previous = report.previous.by_key if report.previous else {}
    keys = report.sex_keys if split == "sex" else report.band_keys
    rows = []
    for figure in report.figures:
        cells = []
        values = figure.by_sex if split == "sex" else figure.by_band
        for key in keys:
            if split == "sex":
                param = {"sexo": next(p for p, s in SEX_PARAM.items() if s == key)}
            else:
                param = {"tramo": next((p for p, b in BAND_PARAM.items() if b == key), key)}
            cells.append({"value": values[key], "url": f"{base}&{urlencode({'cifra': figure.key, **param})}"})
        share = figure.women_share if split == "sex" else figure.youth_share
        before = previous.get(figure.key)
        before_share = None
        if before is not None:
            before_share = before.women_share if split == "sex" else before.youth_share
        rows.append(
            {
                "figure": figure,
                "cells": cells,
                "total": {"value": figure.total, "url": f"{base}&{urlencode({'cifra': figure.key})}"},
                "share": share,
                "before": before_share,
                "change": _change(share, before_share),
                "section_starts": not rows or rows[-1]["figure"].spec.section != figure.spec.section,
            }
        )
    return rows


def charts(report: inclusion.InclusionReport) -> dict:
    """Women's and youth's share of the charted figures, this period against the one before."""
    previous = report.previous.by_key if report.previous else {}
    now_label = report.period.label
    before_label = report.previous.period.label if report.previous else gettext("sin periodo anterior")
    made = {}
    for name, attribute, title in (
        ("women", "women_share", gettext("Participación de las mujeres (% del total)")),
        (
            "youth",
            "youth_share",
            gettext("Participación de los jóvenes, %(band)s (%% del total)")
            % {"band": report.bands[0].label},
        ),
    ):
        shares = []
        for key in inclusion.CHARTED:
            figure = report.by_key[key]
            now = getattr(figure, attribute)
            before = getattr(previous[key], attribute) if key in previous else None
            shares.append(
                Share(
                    label=str(figure.spec.label),
                    now=None if now is None else float(now),
                    before=None if before is None else float(before),
                    text=gettext("%(figure)s: %(now)s (antes %(before)s)")
                    % {"figure": figure.spec.label, "now": _pct(now), "before": _pct(before)},
                )
            )
        made[name] = share_chart(
            shares, title=title, now_label=now_label, before_label=before_label, ident=f"inclusion-{name}"
        )
    return made


@role_required(*INCLUSION_READERS)
@reads_reports
def inclusion_page(request):
    period, seasons, season, form = chosen_period(request)
    context = {"seasons": seasons, "season": season, "form": form, "period": period}
    if period is not None:
        report = inclusion.add_office_figures(inclusion.inclusion_report(period))
        base = reverse("certification:inclusion_members") + "?" + urlencode(period_query(period))
        context.update(
            report=report,
            by_sex=figure_rows(report, split="sex", base=base),
            by_band=figure_rows(report, split="band", base=base),
            sex_labels=[sex_label(key) for key in report.sex_keys],
            band_labels=[report.band_label(key) for key in report.band_keys],
            charts=charts(report),
            age_note=inclusion.reference_day_note(period),
            export_query=urlencode(period_query(period)),
            can_set_bands=has_role(request.user, ADMINISTRATOR),
        )
    return render(request, "certification/inclusion.html", context)


@role_required(*INCLUSION_READERS)
@reads_reports
def inclusion_members(request):
    """The members behind one figure of the page, for one sex or band (or all), read-only."""
    period, _seasons, _season, _form = chosen_period(request)
    key = request.GET.get("cifra", "")
    if period is None or key not in inclusion.FIGURE_KEYS:
        return redirect("certification:inclusion")
    sex = SEX_PARAM.get(request.GET["sexo"]) if "sexo" in request.GET else None
    if "sexo" in request.GET and sex is None:
        raise Http404
    bands = inclusion.age_bands()
    band = None
    if "tramo" in request.GET:
        typed = request.GET["tramo"]
        band = BAND_PARAM.get(typed, int(typed) if typed.isdigit() and int(typed) < len(bands) else None)
        if band is None:
            raise Http404
    spec = inclusion.FIGURE_KEYS[key]
    members = inclusion.members_behind(period, key, sex=sex, band=band, bands=bands)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    for member in page:
        member.inclusion_age_shown = inclusion.member_age(member, period.start)
    group = []
    if sex is not None:
        group.append(sex_label(sex).lower())
    if band is not None:
        group.append(
            gettext("fuera de los tramos")
            if band == inclusion.OUTSIDE
            else gettext("edad sin registrar")
            if band == inclusion.UNKNOWN_AGE
            else bands[band].label
        )
    return render(
        request,
        "certification/inclusion_members.html",
        {
            "period": period,
            "spec": spec,
            "group": ", ".join(group),
            "page": page,
            "shows_value": key not in VALUELESS,
            "back": reverse("certification:inclusion") + "?" + urlencode(period_query(period)),
            "age_note": inclusion.reference_day_note(period),
            "query_string": query_without_page(request),
        },
    )


@role_required(*INCLUSION_READERS)
@require_safe
@reads_reports
def inclusion_xlsx(request):
    period, _seasons, _season, _form = chosen_period(request)
    if period is None:
        raise Http404
    content = inclusion_workbook(period)
    code = period.season.code if period.season else f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    filename = f"inclusion-{code}.xlsx"
    log_download(request, f"Inclusión por sexo y edad — {period.label}", filename, season=period.season)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class WholeField(TypedNumberField):
    parse = staticmethod(parse_whole)


class AgeBandsForm(forms.Form):
    """Up to six bands, «desde» and «hasta» in whole years; «hasta» left empty means «y más»."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, BAND_ROWS + 1):
            self.fields[f"desde_{n}"] = WholeField(
                label=_("Tramo %(n)s: desde (años)") % {"n": n}, required=False, max_length=3
            )
            self.fields[f"hasta_{n}"] = WholeField(
                label=_("Tramo %(n)s: hasta (años)") % {"n": n}, required=False, max_length=3
            )

    def rows(self):
        return [(self[f"desde_{n}"], self[f"hasta_{n}"]) for n in range(1, BAND_ROWS + 1)]

    def bands(self) -> list[tuple[int, int | None]]:
        found = []
        for n in range(1, BAND_ROWS + 1):
            low, high = self.cleaned_data.get(f"desde_{n}"), self.cleaned_data.get(f"hasta_{n}")
            if low is None and high is None:
                continue
            if low is None:
                message = gettext("Indique desde qué edad empieza el tramo %(n)s.") % {"n": n}
                self.add_error(f"desde_{n}", message)
                continue
            found.append((int(low), None if high is None else int(high)))
        return found


@role_required(ADMINISTRATOR)
def inclusion_bands(request):
    """Administration sets the cooperative's age bands (the first one is youth on the page)."""
    current = inclusion.age_bands()
    if request.method == "POST":
        form = AgeBandsForm(request.POST)
        if form.is_valid():
            bands = form.bands()
            if form.is_valid():
                try:
                    set_age_bands(bands=bands, user=request.user)
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    messages.success(request, gettext("Tramos de edad guardados."))
                    return redirect("certification:inclusion")
    else:
        initial = {}
        for n, band in enumerate(current, start=1):
            initial[f"desde_{n}"] = band.min_age
            initial[f"hasta_{n}"] = "" if band.max_age is None else band.max_age
        form = AgeBandsForm(initial=initial)
    return render(request, "certification/inclusion_bands.html", {"form": form, "current": current})

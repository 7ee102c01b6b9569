"""The Fairtrade premium fund: money the assembly decides on, and nothing else moves.

Premium arrives in dollars with the buyers' payments (sales.services). The
treasurer sells dollars for soles (``convert_premium``); the soles are what
the fund spends in Peru. The Development Plan's lines are drafted, then
authorized by an assembly decision (``authorize_budget_lines``, which the
assembly calls); only an authorized line can be spent against, never above
its remaining amount or the soles in the fund, and a spending moves money
only when the board and the treasurer, two different people, have approved
it. A cash distribution to members is a spending too, split by Fairtrade
kilograms delivered in the season.

Every write here locks the fund's soles account first, so two people
spending at the same moment are served one after the other and the second
sees what the first reserved.
"""

from datetime import date as Date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop.models import Season
from fund.figures import soles, split_by_weight
from fund.integrity import CURRENT_DIGEST_VERSION, DIGEST_VERSIONS, lines_digest
from fund.models import (
    AGE_BANDS,
    COMMITTED_STATUSES,
    ActivityProgress,
    ActivityStatus,
    ApprovalCapacity,
    BudgetLine,
    DistributionShare,
    PremiumAuthorization,
    PremiumCategory,
    PremiumConversion,
    Spending,
    SpendingApproval,
    SpendingKind,
    SpendingStatus,
)
from fund.ruc import ruc_problem
from fund.selectors import credit_balance, fairtrade_grams_by_member, fund_position, line_remaining_minor
from ledger import chart
from ledger.models import Account
from ledger.services import post_entry, reverse_entry
from sales.rates import PLAUSIBLE_RATE
from toolkit.money import format_money, from_minor, round_to_minor, typed_to_minor
from toolkit.numbers import parse_rate, parse_whole
from toolkit.roles import BOARD, TREASURER, has_role

CAPACITY_ROLES = {ApprovalCapacity.BOARD: BOARD, ApprovalCapacity.TREASURER: TREASURER}


def _lock_fund() -> Account:
    fund = chart.account(chart.PREMIUM_FUND_PEN)
    return Account.objects.select_for_update().get(pk=fund.pk)


def _amount(value, errors: dict, field: str = "amount", currency: str = "PEN") -> int | None:
    try:
        minor = typed_to_minor(value, currency) if value is not None and str(value).strip() else None
    except ValidationError as exc:
        errors[field] = exc.messages[0]
        return None
    if minor is None:
        errors[field] = _("Indique el monto.")
    elif minor <= 0:
        errors[field] = _("El monto debe ser mayor que cero.")
        return None
    return minor


def _past_date(value: Date | None, errors: dict, field: str, missing: str) -> None:
    """``missing`` is the whole message for an empty date, e.g. "Indique la fecha del acuerdo."."""
    if value is None:
        errors[field] = missing
    elif value > timezone.localdate():
        errors[field] = _("La fecha no puede estar en el futuro.")


# --- Dollars to soles -------------------------------------------------------------


@transaction.atomic
def convert_premium(*, usd, rate, on: Date | None, document: str, user) -> PremiumConversion:
    """Sell premium dollars for soles at the bank's rate: the fund's dollars become soles.

    One entry, balanced in each currency: the dollars leave the bank and the
    fund's dollar account; the soles enter the bank and the fund's soles account.
    """
    _lock_fund()
    errors = {}
    cents = _amount(usd, errors, "usd", "USD")
    try:
        if isinstance(rate, str):
            rate = parse_rate(rate, between=PLAUSIBLE_RATE) if rate.strip() else None
    except ValidationError as exc:
        rate = None
        errors["rate"] = exc.messages[0]
    if rate is None and "rate" not in errors:
        errors["rate"] = _("Indique el tipo de cambio de la operación.")
    elif rate is not None and (rate <= 0 or rate != rate.quantize(Decimal("0.0001"))):
        errors["rate"] = _("El tipo de cambio debe ser positivo y con 4 decimales como máximo.")
    _past_date(on, errors, "on", _("Indique la fecha de la operación."))
    document = (document or "").strip()
    if not document:
        errors["document"] = _("Indique el número de la operación de cambio.")
    elif PremiumConversion.objects.filter(document=document).exists():
        errors["document"] = _("La operación %(document)s ya está registrada.") % {"document": document}
    if cents and "usd" not in errors:
        held = credit_balance(chart.PREMIUM_FUND_USD)
        if cents > held:
            errors["usd"] = _("El fondo tiene %(held)s en dólares; no se pueden cambiar %(amount)s.") % {
                "held": format_money(held, "USD"),
                "amount": format_money(cents, "USD"),
            }
    if errors:
        raise ValidationError(errors)
    pen = round_to_minor(from_minor(cents) * rate)
    entry = post_entry(  # the entry's description is a record: it stays in Spanish
        date=on,
        source_key=f"premium-conversion:{document}",
        user=user,
        description=f"Cambio de prima a soles, operación {document}: {format_money(cents, 'USD')} × {rate}",
        lines=[
            (chart.account(chart.PREMIUM_FUND_USD), cents),
            (chart.account(chart.BANK_USD), -cents),
            (chart.account(chart.BANK), pen),
            (chart.account(chart.PREMIUM_FUND_PEN), -pen),
        ],
    )
    conversion = PremiumConversion(
        date=on, document=document, usd_cents=cents, rate=rate, pen_minor=pen, entry=entry, entered_by=user
    )
    conversion.save()
    return conversion


# --- The Development Plan -------------------------------------------------------


MAX_PLAN_YEARS = 3  # a plan covers a season or a period of up to three years


def _count(value, errors: dict, field: str, missing: str) -> int | None:
    """A number of people as typed (or already a whole number); ``missing`` is the whole message."""
    if value is None or not str(value).strip():
        errors[field] = missing
        return None
    if isinstance(value, int):
        if value < 0:
            errors[field] = _("El número no puede ser negativo.")
            return None
        return value
    try:
        return parse_whole(str(value))
    except ValidationError as exc:
        errors[field] = exc.messages[0]
        return None


def _years_after(day: Date, years: int) -> Date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def draft_budget_line(
    *,
    season: Season | None,
    purpose: str,
    category: str,
    amount,
    objective: str,
    starts_on: Date | None,
    ends_on: Date | None,
    responsible: str,
    beneficiaries,
    women,
    youth,
    indicators: str = "",
    reallocated_from: BudgetLine | None = None,
    user,
) -> BudgetLine:
    """An activity of the plan for the assembly to decide on; it cannot be spent against yet.

    With ``reallocated_from`` (an authorized activity) it asks the assembly to move money: once
    authorized, its amount comes out of that activity's budget, not out of the fund's unallocated soles.
    """
    errors = {}
    if season is None:
        errors["season"] = _("Elija la campaña del plan.")
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = _("Indique la actividad (su nombre).")
    elif len(purpose) > 200:
        errors["purpose"] = _("La actividad admite 200 caracteres como máximo.")
    objective = (objective or "").strip()
    if not objective:
        errors["objective"] = _("Indique el objetivo de la actividad.")
    if category not in PremiumCategory.values:
        errors["category"] = _("Elija la categoría.")
    minor = _amount(amount, errors)
    if starts_on is None:
        errors["starts_on"] = _("Indique la fecha de inicio de la actividad.")
    if ends_on is None:
        errors["ends_on"] = _("Indique la fecha de fin de la actividad.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("La actividad termina (%(end)s) antes de empezar (%(start)s).") % {
            "end": ends_on.strftime("%d/%m/%Y"),
            "start": starts_on.strftime("%d/%m/%Y"),
        }
    elif starts_on is not None and ends_on > _years_after(starts_on, MAX_PLAN_YEARS):
        errors["ends_on"] = _("Un plan cubre una campaña o un periodo de tres años como máximo.")
    responsible = (responsible or "").strip()
    if not responsible:
        errors["responsible"] = _("Indique la persona responsable de la actividad.")
    elif len(responsible) > 120:
        errors["responsible"] = _("El responsable admite 120 caracteres como máximo.")
    total = _count(beneficiaries, errors, "beneficiaries", _("Indique cuántos beneficiarios se esperan."))
    women = _count(women, errors, "women", _("Indique cuántas mujeres se espera beneficiar (0 si ninguna)."))
    youth = _count(youth, errors, "youth", _("Indique cuántos jóvenes se espera beneficiar (0 si ninguno)."))
    if total is not None and women is not None and women > total:
        errors["women"] = _("Las mujeres beneficiarias (%(women)d) superan el total (%(total)d).") % {
            "women": women,
            "total": total,
        }
    if total is not None and youth is not None and youth > total:
        errors["youth"] = _("Los jóvenes beneficiarios (%(youth)d) superan el total (%(total)d).") % {
            "youth": youth,
            "total": total,
        }
    if reallocated_from is not None:
        source = BudgetLine.objects.get(pk=reallocated_from.pk)
        if not source.is_authorized:
            errors["reallocated_from"] = _(
                "Solo se reasigna dinero de una actividad aprobada por la asamblea; «%(line)s» no lo está."
            ) % {"line": source.purpose}
        elif minor is not None and minor > line_remaining_minor(source):
            errors["amount"] = _(
                "A «%(line)s» le quedan %(remaining)s sin gastar: no se pueden reasignar %(amount)s."
            ) % {
                "line": source.purpose,
                "remaining": soles(max(line_remaining_minor(source), 0)),
                "amount": soles(minor),
            }
    if errors:
        raise ValidationError(errors)
    line = BudgetLine(
        season=season,
        purpose=purpose,
        category=category,
        amount_minor=minor,
        objective=objective,
        starts_on=starts_on,
        ends_on=ends_on,
        responsible=responsible,
        beneficiaries=total,
        beneficiaries_women=women,
        beneficiaries_youth=youth,
        indicators=(indicators or "").strip(),
        reallocated_from=reallocated_from,
        created_by=user,
    )
    line.save()
    return line


@transaction.atomic
def authorize_budget_lines(
    *, lines: list[BudgetLine], decision: str, decided_on: Date | None, user
) -> PremiumAuthorization:
    """Make draft activities spendable under the assembly decision that approved them.

    The assembly calls this when it publishes an approved budget motion. New activities together
    may not exceed the soles in the fund that no earlier decision has claimed; a reallocation may
    not exceed what its source activity has left.
    """
    _lock_fund()
    errors = {}
    decision = (decision or "").strip()
    if not decision:
        errors["decision"] = _("Indique el acuerdo de asamblea (asamblea, fecha y número de acuerdo).")
    _past_date(decided_on, errors, "decided_on", _("Indique la fecha del acuerdo."))
    ids = [line.pk for line in lines]
    fresh = list(BudgetLine.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if not fresh:
        errors["lines"] = _("Elija las líneas del plan que aprobó la asamblea.")
    already = [line.purpose for line in fresh if line.is_authorized]
    if already:
        errors["lines"] = _("Ya autorizadas: %(lines)s.") % {"lines": "; ".join(already)}
    total = sum(line.amount_minor for line in fresh if line.reallocated_from_id is None)
    unallocated = fund_position().unallocated_minor
    if fresh and total > unallocated:
        errors["lines"] = _(
            "Las líneas suman %(total)s y el fondo tiene %(unallocated)s sin asignar. "
            "Cambie dólares de la prima a soles o reduzca el plan."
        ) % {"total": soles(total), "unallocated": soles(max(unallocated, 0))}
    moved: dict[int, int] = {}
    for line in fresh:
        if line.reallocated_from_id is not None:
            moved[line.reallocated_from_id] = moved.get(line.reallocated_from_id, 0) + line.amount_minor
    for source in BudgetLine.objects.filter(pk__in=moved).order_by("pk"):
        remaining = line_remaining_minor(source)
        if not source.is_authorized or moved[source.pk] > remaining:
            errors["lines"] = _(
                "Se reasignan %(amount)s de «%(line)s», a la que le quedan %(remaining)s sin gastar."
            ) % {
                "amount": soles(moved[source.pk]),
                "line": source.purpose,
                "remaining": soles(max(remaining, 0) if source.is_authorized else 0),
            }
    if errors:
        raise ValidationError(errors)
    approved = BudgetLine.objects.filter(pk__in=ids).values(*DIGEST_VERSIONS[CURRENT_DIGEST_VERSION])
    authorization = PremiumAuthorization(
        decision=decision,
        decided_on=decided_on,
        authorized_by=user,
        lines_digest=lines_digest(approved, CURRENT_DIGEST_VERSION),
        lines_digest_version=CURRENT_DIGEST_VERSION,
    )
    authorization.save()
    for line in fresh:
        line.authorization = authorization
        # The line is still a draft in the database at this point, so its save() allows this one change.
        line.save(update_fields=["authorization"])
    return authorization


PROGRESS_COUNTS = tuple(f"{sex}_{band}" for sex in ("women", "men") for band, _label in AGE_BANDS)


@transaction.atomic
def report_progress(
    *, line: BudgetLine, status: str, achieved: str, reached: dict, reported_on: Date | None, user
) -> ActivityProgress:
    """Record where an authorized activity stands: status, what was achieved, people reached by sex
    and age band (``reached`` maps ``women_young``… ``men_older`` to counts, typed or whole)."""
    line = BudgetLine.objects.get(pk=line.pk)
    errors = {}
    if not line.is_authorized:
        errors["line"] = _(
            "La actividad «%(line)s» no está aprobada por la asamblea: aún no tiene avance."
        ) % {"line": line.purpose}
    if status not in ActivityStatus.values:
        errors["status"] = _("Elija el estado de la actividad.")
    _past_date(reported_on, errors, "reported_on", _("Indique la fecha del avance."))
    counts = {}
    for field in PROGRESS_COUNTS:
        typed = reached.get(field)
        counts[field] = 0 if typed is None or not str(typed).strip() else _count(typed, errors, field, "")
    if errors:
        raise ValidationError(errors)
    progress = ActivityProgress(
        line=line,
        status=status,
        achieved=(achieved or "").strip(),
        reported_on=reported_on,
        reported_by=user,
        **counts,
    )
    progress.save()
    return progress


# --- Spending ----------------------------------------------------------------------


def _line_checks(line: BudgetLine | None, minor: int | None, kind: str, errors: dict) -> None:
    """The line is authorized, of the right kind, and has room; the fund has the soles."""
    if line is None:
        errors["line"] = _("Elija la línea del plan aprobada.")
        return
    line = BudgetLine.objects.get(pk=line.pk)
    if not line.is_authorized:
        errors["line"] = _(
            "La línea «%(line)s» no está autorizada por la asamblea; no se puede gastar contra ella."
        ) % {"line": line.purpose}
        return
    is_cash = line.category == PremiumCategory.CASH_TO_MEMBERS
    if kind == SpendingKind.DISTRIBUTION and not is_cash:
        errors["line"] = _("Un reparto a los socios sale de una línea de «%(category)s».") % {
            "category": PremiumCategory.CASH_TO_MEMBERS.label
        }
    elif kind == SpendingKind.SUPPLIER and is_cash:
        errors["line"] = _(
            "Una línea de pagos en efectivo a los socios se usa con un reparto, no con un proveedor."
        )
    if minor is None or "amount" in errors:
        return
    remaining = line_remaining_minor(line)
    position = fund_position()
    free_soles = position.pen_minor - position.pending_minor
    if minor > remaining:
        errors["amount"] = _(
            "El monto (%(amount)s) supera lo que queda en la línea «%(line)s» (%(remaining)s)."
        ) % {
            "amount": soles(minor),
            "line": line.purpose,
            "remaining": soles(max(remaining, 0)),
        }
    elif minor > free_soles:
        errors["amount"] = _(
            "El monto (%(amount)s) supera los soles disponibles en el fondo "
            "(%(free)s, descontando gastos por aprobar)."
        ) % {"amount": soles(minor), "free": soles(max(free_soles, 0))}


@transaction.atomic
def register_spending(
    *,
    line: BudgetLine | None,
    amount,
    supplier: str,
    ruc: str,
    document: str,
    document_date: Date | None,
    description: str,
    user,
) -> Spending:
    """Record a supplier's invoice against an authorized line; it reserves the amount until approved."""
    _lock_fund()
    errors = {}
    minor = _amount(amount, errors)
    supplier, ruc = (supplier or "").strip(), (ruc or "").strip()
    document, description = (document or "").strip(), (description or "").strip()
    if not supplier:
        errors["supplier"] = _("Indique el proveedor.")
    if not ruc:
        errors["ruc"] = _("Indique el RUC del proveedor.")
    elif problem := ruc_problem(ruc):
        errors["ruc"] = problem
    if not document:
        errors["document"] = _("Indique el número del comprobante (factura o boleta).")
    elif (
        ruc
        and Spending.objects.filter(
            kind=SpendingKind.SUPPLIER, ruc=ruc, document=document, status__in=COMMITTED_STATUSES
        ).exists()
    ):
        errors["document"] = _("El comprobante %(document)s de este proveedor ya está registrado.") % {
            "document": document
        }
    _past_date(document_date, errors, "document_date", _("Indique la fecha del comprobante."))
    if not description:
        errors["description"] = _("Indique el detalle del gasto.")
    _line_checks(line, minor, SpendingKind.SUPPLIER, errors)
    if errors:
        raise ValidationError(errors)
    spending = Spending(
        line=line,
        kind=SpendingKind.SUPPLIER,
        amount_minor=minor,
        supplier=supplier,
        ruc=ruc,
        document=document,
        document_date=document_date,
        description=description[:200],
        created_by=user,
    )
    spending.save()
    return spending


# --- Cash distribution to members --------------------------------------------------


@transaction.atomic
def register_distribution(
    *,
    line: BudgetLine | None,
    season: Season | None,
    amount,
    document: str,
    document_date: Date | None,
    description: str,
    user,
) -> Spending:
    """A cash distribution from a cash line, split now so the approvers see each member's part."""
    _lock_fund()
    errors = {}
    minor = _amount(amount, errors)
    document, description = (document or "").strip(), (description or "").strip()
    if not document:
        errors["document"] = _("Indique el número de la planilla de reparto.")
    elif Spending.objects.filter(
        kind=SpendingKind.DISTRIBUTION, document=document, status__in=COMMITTED_STATUSES
    ).exists():
        errors["document"] = _("La planilla %(document)s ya está registrada.") % {"document": document}
    _past_date(document_date, errors, "document_date", _("Indique la fecha de la planilla."))
    if not description:
        errors["description"] = _("Indique el detalle del reparto.")
    weights = []
    if season is None:
        errors["season"] = _("Elija la campaña cuyos kilos de Comercio Justo se reparten.")
    else:
        weights = fairtrade_grams_by_member(season)
        if not weights:
            errors["season"] = _(
                "En la %(season)s no hay entregas de Comercio Justo: no hay a quién repartir."
            ) % {"season": season.name}
    _line_checks(line, minor, SpendingKind.DISTRIBUTION, errors)
    if errors:
        raise ValidationError(errors)
    spending = Spending(
        line=line,
        kind=SpendingKind.DISTRIBUTION,
        amount_minor=minor,
        document=document,
        document_date=document_date,
        description=description[:200],
        season=season,
        created_by=user,
    )
    spending.save()
    DistributionShare.objects.bulk_create(
        (
            DistributionShare(
                spending=spending,
                member_id=share.member_id,
                fairtrade_g=share.fairtrade_g,
                amount_minor=share.amount_minor,
            )
            for share in split_by_weight(minor, weights)
        ),
        batch_size=2000,
    )
    return spending


# --- Approvals -------------------------------------------------------------------


@transaction.atomic
def approve_spending(*, spending: Spending, capacity: str, user, on: Date | None = None) -> Spending:
    """Sign a spending as board member or treasurer; the second signature posts it, dated ``on`` (today)."""
    _lock_fund()
    spending = Spending.objects.select_for_update().select_related("line").get(pk=spending.pk)
    on = on or timezone.localdate()
    errors = []
    if on > timezone.localdate() or on < spending.document_date:
        errors.append(_("La fecha de la aprobación va desde la del comprobante hasta hoy."))
    if spending.status != SpendingStatus.PENDING:
        errors.append(
            _("El gasto %(document)s ya está %(status)s.")
            % {"document": spending.document, "status": spending.get_status_display().lower()}
        )
    if capacity not in CAPACITY_ROLES:
        errors.append(_("Indique si aprueba como consejo de administración o como tesorería."))
    elif not has_role(user, CAPACITY_ROLES[capacity]):
        errors.append(
            _("Su usuario no tiene el rol de %(capacity)s.")
            % {"capacity": ApprovalCapacity(capacity).label.lower()}
        )
    signed = list(spending.approvals.all())
    if any(a.user_id == user.pk for a in signed):
        errors.append(_("Usted ya aprobó este gasto: la segunda aprobación debe darla otra persona."))
    elif capacity in {a.capacity for a in signed}:
        errors.append(
            _("Este gasto ya tiene la aprobación de %(capacity)s.")
            % {"capacity": ApprovalCapacity(capacity).label.lower()}
        )
    if errors:
        raise ValidationError(errors)
    SpendingApproval(spending=spending, capacity=capacity, user=user).save()
    if len(signed) + 1 == len(CAPACITY_ROLES):
        _post_spending(spending, user, on)
    return spending


def _post_spending(spending: Spending, user, on: Date) -> None:
    held = credit_balance(chart.PREMIUM_FUND_PEN)
    if spending.amount_minor > held:  # only if money left the fund some other way since registration
        raise ValidationError(
            _("El fondo tiene %(held)s en soles; el gasto es de %(amount)s.")
            % {"held": soles(held), "amount": soles(spending.amount_minor)}
        )
    fund = chart.account(chart.PREMIUM_FUND_PEN)
    line = spending.line
    # The entry's description is a record: it stays in Spanish.
    if spending.kind == SpendingKind.DISTRIBUTION:
        shares = list(spending.shares.filter(amount_minor__gt=0).select_related("member"))
        accounts = chart.member_accounts([share.member for share in shares])
        credits = [(accounts[share.member_id], -share.amount_minor) for share in shares]
        description = (
            f"Reparto de prima, planilla {spending.document}: {len(credits)} socios, línea «{line.purpose}»"
        )
    else:
        credits = [(chart.account(chart.BANK), -spending.amount_minor)]
        description = (
            f"Prima: {spending.description}; {spending.supplier} RUC {spending.ruc}, "
            f"comprobante {spending.document}; línea «{line.purpose}»"
        )
    spending.entry = post_entry(
        date=on,
        description=description[:300],
        source_key=f"premium-spending:{spending.pk}",
        lines=[(fund, spending.amount_minor), *credits],
        user=user,
    )
    spending.status = SpendingStatus.PAID
    spending.save(update_fields=["entry", "status"])


@transaction.atomic
def reject_spending(*, spending: Spending, reason: str, user) -> Spending:
    """Refuse a pending spending: its reservation on the line is released; nothing was posted."""
    _lock_fund()
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    reason = (reason or "").strip()
    errors = []
    if spending.status != SpendingStatus.PENDING:
        errors.append(
            _("El gasto %(document)s ya está %(status)s.")
            % {"document": spending.document, "status": spending.get_status_display().lower()}
        )
    if not has_role(user, *CAPACITY_ROLES.values()):
        errors.append(_("Solo el consejo de administración o la tesorería pueden rechazar un gasto."))
    if not reason:
        errors.append(_("Indique el motivo del rechazo."))
    if errors:
        raise ValidationError(errors)
    spending.status, spending.rejection_reason = SpendingStatus.REJECTED, reason[:200]
    spending.save(update_fields=["status", "rejection_reason"])
    return spending


@transaction.atomic
def reverse_spending(*, spending: Spending, reason: str, user, on: Date | None = None) -> Spending:
    """Undo a posted spending found wrong: the mirror entry returns the money to the fund.

    For a distribution that means each member's part is taken back from their
    account. The spending stays, marked reversed, and frees its amount on the line.
    """
    _lock_fund()
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    reason = (reason or "").strip()
    on = on or timezone.localdate()
    errors = []
    if spending.status != SpendingStatus.PAID:
        errors.append(
            _("Solo se revierte un gasto contabilizado; %(document)s está %(status)s.")
            % {"document": spending.document, "status": spending.get_status_display().lower()}
        )
    if not reason:
        errors.append(_("Indique el motivo de la reversión."))
    if (spending.entry and on < spending.entry.date) or on > timezone.localdate():
        errors.append(_("La fecha de la reversión va desde la del asiento hasta hoy."))
    if errors:
        raise ValidationError(errors)
    with translation.override(settings.LANGUAGE_CODE):  # the reversal's reason is a record, in Spanish
        kind = spending.get_kind_display().lower()
    spending.reversal_entry = reverse_entry(
        entry=spending.entry, date=on, user=user, reason=f"{kind} {spending.document}: {reason}"
    )
    spending.status, spending.rejection_reason = SpendingStatus.REVERSED, reason[:200]
    spending.save(update_fields=["reversal_entry", "status", "rejection_reason"])
    return spending

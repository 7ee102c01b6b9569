"""Writes to the member and plot register. Views, admin, imports and commands call these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from coop.code_series import member_code_series
from coop.geometry import MIN_DECIMALS, GeometryError, decimals, dumps_geometry, parse_geojson
from coop.models import Member, MemberStatus, MemberStatusChange, Plot, member_search_text
from coop.traceability import (
    COLUMNS_BY_KEY,
    AmbiguousArea,
    FieldChange,
    ImportReport,
    Sheet,
    SheetRow,
    read_sheet,
    sheet_value,
)
from coop.wording import member_noun, member_status_word
from toolkit.db import analyze_after_commit
from toolkit.validation import clean_only


@transaction.atomic
def change_member_status(
    *, member: Member, status: str, effective_date: date, note: str = "", user
) -> MemberStatusChange:
    """Record a new status for a member, with its date and who recorded it.

    History is append-only: a mistaken change is corrected by recording
    another one. A change dated before the latest recorded one is refused, so
    the current status is always the latest step.
    """
    clean_only(MemberStatusChange(status=status), ["status"])  # a known status, before the history is read
    member = Member.objects.select_for_update().get(pk=member.pk)
    latest = member.status_changes.order_by("-effective_date", "-id").first()
    if latest and effective_date < latest.effective_date:
        raise ValidationError(
            {
                "effective_date": _("La fecha no puede ser anterior al último cambio registrado (%(date)s).")
                % {"date": latest.effective_date.strftime("%d/%m/%Y")}
            }
        )
    if latest and latest.status == status:
        raise ValidationError(
            {
                "status": _("%(member)s ya está %(status)s.")
                % {
                    "member": member_noun(member.sex, capital=True),
                    "status": member_status_word(member).lower(),
                }
            }
        )
    if effective_date > date.today():
        raise ValidationError({"effective_date": _("La fecha no puede estar en el futuro.")})
    change = MemberStatusChange(
        member=member,
        status=status,
        effective_date=effective_date,
        note=note.strip(),
        recorded_by=user,
    )
    change.full_clean()
    change.save()
    member.status = status
    member._history_user = user
    member.save(update_fields=["status", "updated_at", "search_text"])
    return change


# --- Editing a member on Minka's own page ---------------------------------------

# What the member edit page may change. Never the code (printed on every receipt and statement) nor the
# status (change_member_status, with its date).
MEMBER_EDIT_FIELDS = (
    "name",
    "dni",
    "sex",
    "birth_date",
    "join_date",
    "phone",
    "address",
    "community",
    "district",
    "province",
    "department",
)
PLOT_EDIT_FIELDS = (
    "name",
    "community",
    "total_area_ha",
    "cocoa_installed_ha",
    "cocoa_producing_ha",
    "cocoa_grafted_ha",
    "has_title",
    "fairtrade_certified",
    "organic_stage",
)
EDIT_REASON = "Edición en la página del socio"  # a record in the history, kept in Spanish


def _plot_error_key(plot_pk: int, field_name: str) -> str:
    """How update_member names a plot's field in its ValidationError: «plots.<id>.<field>»."""
    return f"plots.{plot_pk}.{field_name}"


@transaction.atomic
def update_member(*, member: Member, user, values: dict, plots: dict[int, dict] | None = None) -> int:
    """Correct a member's data and their plots' (``plots`` maps a plot's id to its new values).

    Everything is checked before anything is written; a refusal is a ValidationError naming each
    field (a plot's field as «plots.<plot id>.<field>») and nothing changes. Each member or plot
    that changes gets one history row with the user; one that does not change gets none. Returns
    how many fields changed.
    """
    plots = plots or {}
    not_editable = set(values) - set(MEMBER_EDIT_FIELDS)
    not_editable |= {name for plot_values in plots.values() for name in plot_values} - set(PLOT_EDIT_FIELDS)
    if not_editable:
        raise ValueError(f"Not editable on the member page: {sorted(not_editable)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors: dict[str, list] = {}
    member_changed = _assign(member, values)
    if member_changed:
        try:
            # The code is never edited here: checking it would refuse an edit for the code's sake.
            member.full_clean(exclude=["code", "search_text", "status"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    found = {p.pk: p for p in Plot.objects.select_for_update().filter(member=member, pk__in=list(plots))}
    changed_plots = []
    for plot_pk, plot_values in plots.items():
        plot = found.get(plot_pk)
        if plot is None:
            errors[_plot_error_key(plot_pk, "code")] = [_("La parcela no es de este socio.")]
            continue
        plot_changed = _assign(plot, plot_values)
        if not plot_changed:
            continue
        try:
            plot.full_clean(exclude=["code", "member"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[_plot_error_key(plot_pk, name)] = messages
        changed_plots.append((plot, plot_changed))
    if errors:
        raise ValidationError(errors)
    if member_changed:
        member._history_user = user
        member._change_reason = EDIT_REASON
        member.save()
    for plot, _names in changed_plots:
        plot._history_user = user
        plot._change_reason = EDIT_REASON
        plot.save()
    return len(member_changed) + sum(len(names) for _plot, names in changed_plots)


def _assign(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields whose value changed."""
    changed = []
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


# --- Importing the traceability sheet ------------------------------------------


MEMBER_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "department",
    "province",
    "district",
    "community",
    "join_date",
    "phone",
)
PLOT_FIELDS = (
    "department",
    "province",
    "district",
    "community",
    "temporary_shade_ha",
    "cocoa_installed_ha",
    "installed_on",
    "cocoa_grafted_ha",
    "forest_ha",
    "georeferenced_ha",
    "total_area_ha",
    "cocoa_producing_ha",
    "has_title",
    "fairtrade_certified",
    "fairtrade_since",
    "organic_stage",
    "organic_conversion_start",
    "organic_certified_on",
)
PLOT_GEOMETRY_FIELDS = ("geometry", "geometry_kind", "centroid_lat", "centroid_lon")
BATCH = 1000


PLOT_TEXT_FIELDS = ("code", "name", "department", "province", "district", "community")


def _fill_plot(plot: Plot, row: SheetRow) -> None:
    """Copy the row's non-blank plot cells onto the plot: a blank cell never erases."""
    for key in PLOT_FIELDS:
        value = row.values.get(key)
        if not _blank(value):
            setattr(plot, key, value)
    if row.values.get("plot_name"):
        plot.name = row.values["plot_name"]


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (dry run, or errors found late)."""


def _blank(value) -> bool:
    return value is None or value == ""


DATE_FIELDS = {
    "birth_date",
    "join_date",
    "fairtrade_since",
    "organic_conversion_start",
    "organic_certified_on",
}


def _swapped(old, new) -> bool:
    """``new`` is ``old`` with day and month exchanged: what a spreadsheet in another locale does."""
    return (
        isinstance(old, date)
        and isinstance(new, date)
        and new.day <= 12
        and new.day != new.month
        and old == date(new.year, new.day, new.month)
    )


def _same_point(geometry: dict | None, stored: str) -> dict | None:
    """The register's own point when the sheet's latitude/longitude are the same numbers (a spreadsheet
    that read them as numbers dropped their trailing zeros: -6.430000 came back as -6.43)."""
    if not geometry or geometry.get("type") != "Point" or not stored:
        return None
    if all(decimals(v) >= MIN_DECIMALS for v in geometry["coordinates"][:2]):
        return None  # nothing lost: the point is checked and stored as it is
    try:
        held = parse_geojson(stored)
    except GeometryError:
        return None
    if held["type"] != "Point":
        return None
    if [v for v in held["coordinates"][:2]] == [v for v in geometry["coordinates"][:2]]:
        return held
    return None


@transaction.atomic
def import_register(*, source: bytes, filename: str, dry_run: bool, user) -> ImportReport:
    """Import the Alliance traceability sheet: all rows or none.

    Members are matched by DNI, plots by «Código de parcela» or else by their
    order among the member's rows, so importing the same file again updates
    and never duplicates. A blank cell never erases what the register holds.
    A dry run does every write and then rolls back, so it finds exactly the
    problems the real import would.
    """
    report = ImportReport(filename=filename, dry_run=dry_run)
    sheet = read_sheet(source, filename, report)
    if sheet is None:
        return report
    # Cells that could not be read are already reported; the plan still checks
    # the other rows so the user gets every problem of the file at once.
    try:
        # A savepoint: a dry run, problems found late and a clash with another writer roll back to it.
        with transaction.atomic():
            _lock_register()
            plan = _RegisterPlan(sheet, report)
            plan.build()
            if not report.ok:
                raise _Rollback
            # The history's change reason is part of the record: it stays in Spanish.
            plan.apply(user=user, reason=f"Importación de {filename}"[:100])
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError:
        report.error(
            None,
            "",
            _(
                "Otra persona cambió el padrón al mismo tiempo; no se guardó nada. "
                "Vuelva a importar el archivo."
            ),
        )
    report.errors.sort(key=lambda problem: problem.row or 0)
    report.warnings.sort(key=lambda problem: problem.row or 0)
    return report


def _lock_register():
    """Serialise imports with each other and with edits to members and plots.

    SQLite already holds the write lock from BEGIN IMMEDIATE; PostgreSQL needs
    an explicit table lock so two imports cannot both create the same member.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {Member._meta.db_table}, {Plot._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )


class _RegisterPlan:
    """Matches the sheet's rows to members and plots and checks them, before anything is written."""

    def __init__(self, sheet: Sheet, report: ImportReport):
        self.sheet = sheet
        self.report = report
        self.header = lambda key: sheet.headers.get(key) or COLUMNS_BY_KEY[key].header
        self.today = date.today()
        self.new_members: list[Member] = []
        self.changed_members: dict[int, Member] = {}
        self.new_plots: list[tuple[Member, Plot]] = []
        self.changed_plots: dict[int, Plot] = {}
        self.changed_plot_fields: set[str] = set()
        self.changed_member_fields: set[str] = set()
        self._file_plot_codes: dict[str, int] = {}  # plot code -> row that claimed it
        self.touched_rows: set[int] = set()  # rows that create or change a member or a plot
        self.members_with_changed_plots: dict[int, Member] = {}

    # -- matching --------------------------------------------------------------

    def build(self):
        by_dni: dict[str, list[SheetRow]] = {}
        for row in self.sheet.rows:
            dni = row.values.get("dni")
            if dni:
                by_dni.setdefault(dni, []).append(row)

        members_by_dni = {m.dni: m for m in Member.objects.all()}
        dni_by_code = {m.code: dni for dni, m in members_by_dni.items()}
        plots_by_member: dict[int, list[Plot]] = {}
        plots_by_code: dict[str, Plot] = {}
        for plot in Plot.objects.order_by("id"):
            plots_by_member.setdefault(plot.member_id, []).append(plot)
            plots_by_code[plot.code] = plot
        self.plots_by_code = plots_by_code
        self.used_plot_codes = set(plots_by_code)
        # Codes the file gives are taken before any is made, so a made code never takes one of them.
        file_member_codes = {
            row.values["member_code"] for row in self.sheet.rows if row.values.get("member_code")
        }
        self.used_member_codes = set(dni_by_code) | file_member_codes
        self.code_prefix, self.code_digits, self.next_code_number = member_code_series(
            [*dni_by_code, *file_member_codes]
        )

        file_codes: dict[str, tuple[str, int]] = {}
        for dni, rows in by_dni.items():
            member = members_by_dni.get(dni)
            code = self._member_code(dni, rows, member, dni_by_code, file_codes)
            if member is None:
                member = self._new_member(dni, code, rows)
            else:
                self._update_member(member, rows)
            existing_plots = plots_by_member.get(member.pk, []) if member.pk else []
            self._match_plots(member, rows, existing_plots)

    def _next_member_code(self) -> str:
        while True:
            self.next_code_number += 1
            code = f"{self.code_prefix}{self.next_code_number:0{self.code_digits}d}"
            if code not in self.used_member_codes:
                return code

    def _member_code(self, dni, rows, member, dni_by_code, file_codes) -> str:
        codes = [(row, row.values.get("member_code")) for row in rows if row.values.get("member_code")]
        for row, code in codes:
            if code != codes[0][1]:
                self.report.error(
                    row.number,
                    self.header("member_code"),
                    _("El DNI %(dni)s tiene otro código en la fila %(row)s (%(code)s).")
                    % {"dni": dni, "row": codes[0][0].number, "code": codes[0][1]},
                )
        if not codes:
            if member is not None:
                return member.code
            code = self._next_member_code()
            self.used_member_codes.add(code)
            return code
        row, code = codes[0]
        if member is not None and member.code != code:
            self.report.error(
                row.number,
                self.header("member_code"),
                _(
                    "El DNI %(dni)s ya está registrado con el código %(code)s; "
                    "el código de un socio no se cambia por importación."
                )
                % {"dni": dni, "code": member.code},
            )
        elif member is None and code in dni_by_code:
            self.report.error(
                row.number,
                self.header("member_code"),
                _("El código %(code)s ya pertenece al socio con DNI %(dni)s.")
                % {"code": code, "dni": dni_by_code[code]},
            )
        elif code in file_codes and file_codes[code][0] != dni:
            self.report.error(
                row.number,
                self.header("member_code"),
                _("El código %(code)s también está en la fila %(row)s con otro DNI (%(dni)s).")
                % {"code": code, "row": file_codes[code][1], "dni": file_codes[code][0]},
            )
        file_codes.setdefault(code, (dni, row.number))
        self.used_member_codes.add(code)
        return code

    def _member_values(self, dni, rows) -> dict:
        """The member's fields from the first row that has each; a different later value is an error."""
        values: dict = {}
        first_row: dict = {}
        for row in rows:
            for key in (*MEMBER_FIELDS, "age", "status"):
                value = row.values.get(key)
                if _blank(value):
                    continue
                if key not in values:
                    values[key], first_row[key] = value, row.number
                elif key in ("name", "sex", "birth_date", "age", "join_date") and values[key] != value:
                    self.report.error(
                        row.number,
                        self.header(key),
                        _(
                            "El DNI %(dni)s aparece en la fila %(row)s con otro dato («%(value)s»); un socio "
                            "con varias parcelas debe tener los mismos datos personales en todas sus filas."
                        )
                        % {"dni": dni, "row": first_row[key], "value": values[key]},
                    )
        return values

    def _new_member(self, dni, code, rows) -> Member:
        values = self._member_values(dni, rows)
        member = Member(code=code, dni=dni, **{k: values[k] for k in MEMBER_FIELDS if k in values})
        if "age" in values and not member.birth_date:
            member.declared_age, member.declared_age_on = values["age"], self.today
        member.search_text = member_search_text(code=code, dni=dni, name=member.name)
        member.status = values.get("status") or MemberStatus.ACTIVE
        self._check_member(member, rows[0])
        self.new_members.append(member)
        self.touched_rows.update(row.number for row in rows)
        return member

    def _update_member(self, member, rows):
        values = self._member_values(member.dni, rows)
        changed = []
        for key in MEMBER_FIELDS:
            if key in values and getattr(member, key) != values[key]:
                if key in DATE_FIELDS and _swapped(getattr(member, key), values[key]):
                    row = next(r for r in rows if not _blank(r.values.get(key)))
                    self._refuse_swap(row, key, getattr(member, key), values[key])
                    continue
                self._record_change(
                    "member", member.code, member.name, key, getattr(member, key), values[key]
                )
                setattr(member, key, values[key])
                changed.append(key)
        # An age only matters when the birth date is unknown (the export writes both).
        if "age" in values and not member.birth_date and member.declared_age != values["age"]:
            self._record_change("member", member.code, member.name, "age", member.declared_age, values["age"])
            member.declared_age, member.declared_age_on = values["age"], self.today
            changed += ["declared_age", "declared_age_on"]
        if values.get("status") and values["status"] != member.status:
            self.report.warn(
                rows[0].number,
                self.header("status"),
                _(
                    "%(member)s %(code)s está «%(status)s» en Minka; "
                    "el estado se cambia en la página del socio, con su fecha. No se modificó."
                )
                % {
                    "member": member_noun(member.sex, capital=True),
                    "code": member.code,
                    "status": member_status_word(member),
                },
            )
        if changed:
            member.search_text = member_search_text(code=member.code, dni=member.dni, name=member.name)
            self._check_member(member, rows[0])
            self.changed_members[member.pk] = member
            self.changed_member_fields.update(changed + ["search_text"])
            self.touched_rows.update(row.number for row in rows)

    def _record_change(self, kind, code, name, key, old, new):
        self.report.changes.append(
            FieldChange(
                kind=kind,
                code=code,
                name=name,
                column=self.header(key),
                old=sheet_value(key, old),
                new=sheet_value(key, new),
            )
        )

    def _refuse_swap(self, row, key, held, read):
        """A date that is the register's with day and month exchanged: named, never applied."""
        self.report.error(
            row.number,
            self.header(key),
            _(
                "«%(written)s» se lee como %(read)s, pero con el día y el mes intercambiados es %(held)s, "
                "la fecha que tiene el padrón; una hoja de cálculo con otro idioma pudo invertirlos. "
                "No se aplica: escriba la fecha como aaaa-mm-dd, o corríjala en la página del socio."
            )
            % {
                "written": row.written.get(key) or read.isoformat(),
                "read": read.isoformat(),
                "held": held.isoformat(),
            },
        )

    def _check_member(self, member, row):
        try:
            member.clean_fields(exclude=["code", "search_text", "status"])
        except ValidationError as exc:
            reported = {(problem.row, problem.column) for problem in self.report.errors}
            for field_name, messages in exc.message_dict.items():
                key = "dni" if field_name == "dni" else field_name
                column = self.header(key) if key in COLUMNS_BY_KEY else field_name
                if (row.number, column) in reported:
                    continue  # the cell could not be read: that is said already
                for message in messages:
                    self.report.error(row.number, column, message)

    def _match_plots(self, member, rows, existing_plots):
        claimed_codes = {row.values.get("plot_code") for row in rows if row.values.get("plot_code")}
        unclaimed = [p for p in existing_plots if p.code not in claimed_codes]
        for row in rows:
            code = row.values.get("plot_code")
            if code:
                plot = self.plots_by_code.get(code)
                if plot is not None and plot.member_id != member.pk:
                    self.report.error(
                        row.number,
                        self.header("plot_code"),
                        _("La parcela %(code)s pertenece a otro socio.") % {"code": code},
                    )
                    continue
                if code in self._file_plot_codes:
                    self.report.error(
                        row.number,
                        self.header("plot_code"),
                        _("La parcela %(code)s ya está en la fila %(row)s.")
                        % {"code": code, "row": self._file_plot_codes[code]},
                    )
                    continue
                self._file_plot_codes[code] = row.number
            else:
                # Without a plot code, the k-th row of a member is its k-th plot.
                plot = unclaimed.pop(0) if unclaimed else None
            if plot is None:
                self._new_plot(member, row, code)
                if member.pk and self.new_plots and self.new_plots[-1][0] is member:
                    self.members_with_changed_plots[member.pk] = member  # a new plot of a member
            else:
                self._update_plot(plot, row)
                if plot.pk in self.changed_plots and member.pk:
                    self.members_with_changed_plots[member.pk] = member

    def _new_plot(self, member, row, code):
        if not code:
            number = 1
            while f"{member.code}-P{number}" in self.used_plot_codes:
                number += 1
            code = f"{member.code}-P{number}"
        self.used_plot_codes.add(code)
        plot = Plot(code=code, member=member if member.pk else None)
        if not self._resolve_areas(plot, row):
            return
        _fill_plot(plot, row)
        for key in ("department", "province", "district", "community"):
            if not getattr(plot, key):
                setattr(plot, key, getattr(member, key))
        if self._check_plot(plot, row):
            self.new_plots.append((member, plot))
            self.touched_rows.add(row.number)

    def _update_plot(self, plot, row):
        before = {f: getattr(plot, f) for f in (*PLOT_FIELDS, "name", *PLOT_GEOMETRY_FIELDS)}
        if not row.values.get("geometry"):
            # A point the register holds, given back without its trailing zeros, is the same point:
            # it is kept as the register has it (with its 6 decimals) instead of refused.
            row.geometry = _same_point(row.geometry, plot.geometry) or row.geometry
        swapped = [
            key
            for key in DATE_FIELDS & set(PLOT_FIELDS)
            if not _blank(row.values.get(key)) and _swapped(getattr(plot, key), row.values[key])
        ]
        for key in sorted(swapped):
            self._refuse_swap(row, key, getattr(plot, key), row.values[key])
        if swapped or not self._resolve_areas(plot, row):
            return
        _fill_plot(plot, row)
        if not self._check_plot(plot, row):
            return
        changed = [f for f, old in before.items() if getattr(plot, f) != old]
        for name in changed:
            if name in ("geometry_kind", "centroid_lat", "centroid_lon"):
                continue  # follow from the geometry, which is listed
            key = {"name": "plot_name"}.get(name, name)
            self._record_change("plot", plot.code, plot.name, key, before[name], getattr(plot, name))
        if changed:
            self.changed_plots[plot.pk] = plot
            self.changed_plot_fields.update(changed)
            self.touched_rows.add(row.number)

    def _resolve_areas(self, plot, row) -> bool:
        """An area «1.246» is what the plot holds when one of its readings is (1.2460 came back from a
        spreadsheet without its trailing zero); otherwise it is refused as the number parser would."""
        resolved = True
        for key, value in list(row.values.items()):
            if isinstance(value, AmbiguousArea):
                held = getattr(plot, key) if plot.pk else None
                if held is not None and held in value.readings:
                    row.values[key] = held
                else:
                    self.report.error(row.number, self.header(key), value.message)
                    resolved = False
        return resolved

    def _check_plot(self, plot, row) -> bool:
        if row.geometry is not None:
            plot.geometry = dumps_geometry(row.geometry)
        try:
            plot.clean()
            # Numbers, dates and choices were read by the cell parsers: the text fields are left
            # (the whole clean_fields would double the import time).
            clean_only(plot, PLOT_TEXT_FIELDS)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                if field_name == "geometry":
                    column = self._geometry_header(row)
                else:
                    key = {"name": "plot_name", "code": "plot_code"}.get(field_name, field_name)
                    column = self.header(key if key in COLUMNS_BY_KEY else "total_area_ha")
                for message in messages:
                    self.report.error(row.number, column, message)
            return False
        self._warn_areas(plot, row)
        return True

    def _geometry_header(self, row) -> str:
        if row.values.get("geometry") or "latitude" not in self.sheet.headers:
            return self.header("geometry")
        return f"{self.header('latitude')} / {self.header('longitude')}"

    def _warn_areas(self, plot, row):
        installed, producing = plot.cocoa_installed_ha, plot.cocoa_producing_ha
        if installed is not None and producing is not None and producing > installed:
            self.report.warn(
                row.number,
                self.header("cocoa_producing_ha"),
                _("El cacao en producción es mayor que el cacao instalado."),
            )
        if installed is not None and plot.cocoa_grafted_ha is not None and plot.cocoa_grafted_ha > installed:
            self.report.warn(
                row.number,
                self.header("cocoa_grafted_ha"),
                _("El cacao injertado es mayor que el cacao instalado."),
            )

    # -- writing ---------------------------------------------------------------

    def apply(self, *, user, reason: str):
        report = self.report
        if self.new_members:
            bulk_create_with_history(
                self.new_members, Member, batch_size=BATCH, default_user=user, default_change_reason=reason
            )
            MemberStatusChange.objects.bulk_create(
                [
                    MemberStatusChange(
                        member=m,
                        status=m.status,
                        effective_date=m.join_date or self.today,
                        note="Alta por importación del padrón",  # a record, kept in Spanish
                        recorded_by=user,
                    )
                    for m in self.new_members
                ],
                batch_size=BATCH,
            )
        if self.changed_members:
            bulk_update_with_history(
                list(self.changed_members.values()),
                Member,
                sorted(self.changed_member_fields),
                batch_size=BATCH,
                default_user=user,
                default_change_reason=reason,
            )
        if self.new_plots:
            plots = []
            for member, plot in self.new_plots:
                plot.member_id = member.pk
                plots.append(plot)
            bulk_create_with_history(
                plots, Plot, batch_size=BATCH, default_user=user, default_change_reason=reason
            )
        if self.changed_plots:
            bulk_update_with_history(
                list(self.changed_plots.values()),
                Plot,
                sorted(self.changed_plot_fields),
                batch_size=BATCH,
                default_user=user,
                default_change_reason=reason,
            )
        analyze_after_commit(
            Member,
            Member.history.model,
            MemberStatusChange,
            Plot,
            Plot.history.model,
            rows=len(self.new_members)
            + len(self.changed_members)
            + len(self.new_plots)
            + len(self.changed_plots),
        )
        report.members_created = len(self.new_members)
        report.members_updated = len(self.changed_members)
        report.members_unchanged = (
            len({r.values.get("dni") for r in self.sheet.rows})
            - report.members_created
            - report.members_updated
        )
        report.plots_created = len(self.new_plots)
        report.plots_updated = len(self.changed_plots)
        report.plots_unchanged = len(self.sheet.rows) - report.plots_created - report.plots_updated
        report.rows_unchanged = len(self.sheet.rows) - len(self.touched_rows)
        report.new_members = sorted((m.code, m.name) for m in self.new_members)
        # A member whose own data or whose plots changed: the page lists both, linked to their history.
        changed = {**self.members_with_changed_plots, **self.changed_members}
        report.changed_members = sorted((m.code, m.name) for m in changed.values())

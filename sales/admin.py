"""Admin pages of trade: the Fairtrade terms table and the exchange rates."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from sales.models import ExchangeRate, FairtradeTerms
from sales.selectors import contracts_to_review
from toolkit.admin import TypedNumbersAdmin
from toolkit.numbers import SOLES_PER_DOLLAR


@admin.register(FairtradeTerms)
class FairtradeTermsAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    """Administrators add each review's rows from the official table, one per component; rows are
    never edited. A back-dated row names the contracts it reprices («a revisar»)."""

    list_display = (
        "valid_from",
        "kind",
        "origin",
        "currency",
        "amount",
        "source",
        "source_date",
        "date_to_confirm",
        "entered_by",
    )
    list_filter = ("kind", "origin", "currency")
    fields = (
        "kind",
        "origin",
        "currency",
        "valid_from",
        "amount",
        "source",
        "source_date",
        "source_url",
        "date_to_confirm",
        "entered_by",
        "created_at",
    )
    readonly_fields = ("created_at", "entered_by")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"  # a link typed without its scheme
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user  # who entered the row stays beside its source
        super().save_model(request, obj, form, change)
        affected = [r.contract for r in contracts_to_review() if obj in r.new_rows]
        if affected:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("sales:contract_detail", args=[c.pk]), c.number) for c in affected),
            )
            text = ngettext(
                "Esta fila rige en la fecha de %(count)s contrato valorizado antes: queda «a revisar»:",
                "Esta fila rige en la fecha de %(count)s contratos valorizados antes: quedan «a revisar»:",
                len(affected),
            ) % {"count": len(affected)}
            messages.warning(request, format_html("{} {}", text, links))

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    list_display = ("date", "buy", "sell", "source")
    date_hierarchy = "date"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # «3,418» can only be 3.418 soles per dollar, as the rates import and the fund's conversion read it.
        if db_field.name in ("buy", "sell"):
            kwargs["between"] = SOLES_PER_DOLLAR
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

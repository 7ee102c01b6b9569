"""Admin pages of trade: the Fairtrade terms table and the exchange rates."""

from django.contrib import admin

from sales.models import ExchangeRate, FairtradeTerms
from toolkit.admin import TypedNumbersAdmin
from toolkit.numbers import SOLES_PER_DOLLAR


@admin.register(FairtradeTerms)
class FairtradeTermsAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    """Administrators add each review's row from the official table; rows are never edited."""

    list_display = (
        "valid_from",
        "origin",
        "minimum_price",
        "organic_rule",
        "organic_minimum_price",
        "organic_differential",
        "premium",
        "currency",
        "source",
    )
    readonly_fields = ("created_at", "entered_by")

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user  # who entered the row stays beside its source
        super().save_model(request, obj, form, change)

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

"""Rule sets and delegates are kept in the admin; assemblies themselves are run from Minka's pages."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assemblies.models import Delegate, RuleSet
from toolkit.admin import TypedNumbersAdmin


@admin.register(RuleSet)
class RuleSetAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    list_display = (
        "name",
        "version",
        "valid_from",
        "proxies_allowed",
        "max_proxies_per_holder",
        "uses_delegates",
    )
    fieldsets = (
        (None, {"fields": ("name", "version", "valid_from", "statute_reference")}),
        (
            gettext_lazy("Socios hábiles"),
            {"fields": ("suspended_may_vote", "min_membership_days", "min_delivered_kg", "uses_delegates")},
        ),
        (
            gettext_lazy("Quórum"),
            {
                "fields": (
                    ("first_call_numerator", "first_call_denominator", "first_call_strict"),
                    "first_call_fixed",
                    ("second_call_numerator", "second_call_denominator", "second_call_strict"),
                    "second_call_fixed",
                )
            },
        ),
        (gettext_lazy("Poderes"), {"fields": ("proxies_allowed", "max_proxies_per_holder")}),
        (
            gettext_lazy("Mayorías"),
            {
                "fields": (
                    "absolute_base",
                    ("qualified_numerator", "qualified_denominator"),
                    "qualified_base",
                    "abstentions_in_base",
                    "blank_in_base",
                )
            },
        ),
        (
            gettext_lazy("Elecciones"),
            {"fields": ("vote_per_seat", "candidates_from_register", "office_term_years")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # A rule set that governs a convened assembly is frozen: a new version replaces it.
        if obj is not None and obj.in_use:
            return [f.name for f in obj._meta.fields]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.in_use

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        messages.info(
            request, _("Las asambleas ya convocadas conservan el reglamento con el que se convocaron.")
        )


@admin.register(Delegate)
class DelegateAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    list_display = ("member", "zone", "elected_on", "term_ends_on")
    list_filter = ("zone",)
    search_fields = ("member__code", "member__dni", "member__name", "zone")
    autocomplete_fields = ("member",)

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from coop import services
from coop.models import Member, MemberStatus, MemberStatusChange, Plot, Season
from coop.resources import TraceabilitySheetResource
from toolkit.admin import TypedNumbersAdmin


class PlotInline(TypedNumbersAdmin, admin.TabularInline):
    model = Plot
    extra = 0
    fields = (
        "code",
        "community",
        "total_area_ha",
        "cocoa_installed_ha",
        "cocoa_producing_ha",
        "fairtrade_certified",
        "organic_stage",
        "geometry_kind",
    )
    readonly_fields = ("geometry_kind",)
    show_change_link = True


class StatusChangeInline(TypedNumbersAdmin, admin.TabularInline):
    """Status history is read here and written only through the member page."""

    model = MemberStatusChange
    extra = 0
    can_delete = False
    fields = ("effective_date", "status", "note", "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(TypedNumbersAdmin, ExportMixin, SimpleHistoryAdmin):
    # «Exportar» writes the selected members as the traceability sheet.
    resource_classes = [TraceabilitySheetResource]
    change_list_template = "admin/coop/member/change_list.html"
    list_display = ("code", "name", "dni", "community", "district", "status", "join_date")
    list_filter = ("status", "sex", "district")
    search_fields = ("code", "dni", "search_text")
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [PlotInline, StatusChangeInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "dni",
                    "name",
                    "sex",
                    "birth_date",
                    "declared_age",
                    "declared_age_on",
                    "join_date",
                    "status",
                )
            },
        ),
        (
            _("Ubicación y contacto"),
            {"fields": ("community", "district", "province", "department", "address", "phone")},
        ),
        (_("Registro"), {"fields": ("created_at", "updated_at")}),
    )
    change_list_template = "admin/coop/member/change_list.html"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Every member starts with a dated "active" step in their history.
            services.change_member_status(
                member=obj,
                status=MemberStatus.ACTIVE,
                effective_date=min(obj.join_date or timezone.localdate(), timezone.localdate()),
                note="Alta en el padrón",  # a record, kept in Spanish
                user=request.user,
            )

    def has_delete_permission(self, request, obj=None):
        # A member leaves by a status change (retirado, fallecido), never by deletion.
        return False

    def get_urls(self):
        return [
            path(
                "importar/",
                self.admin_site.admin_view(lambda request: redirect("coop:register_import")),
                name="coop_member_import",
            ),
        ] + super().get_urls()


@admin.register(Plot)
class PlotAdmin(TypedNumbersAdmin, SimpleHistoryAdmin):
    list_display = (
        "code",
        "member",
        "community",
        "total_area_ha",
        "cocoa_producing_ha",
        "fairtrade_certified",
        "organic_stage",
        "geometry_kind",
    )
    list_filter = ("fairtrade_certified", "organic_stage", "geometry_kind", "district")
    search_fields = ("code", "member__code", "member__dni", "member__search_text")
    raw_id_fields = ("member",)
    readonly_fields = ("geometry_kind", "centroid_lat", "centroid_lon", "created_at", "updated_at")
    list_select_related = ("member",)
    show_full_result_count = False  # a filtered page would count every plot a second time

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Season)
class SeasonAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    list_display = ("code", "name", "starts_on", "ends_on", "wet_to_dry_factor", "max_yield_kg_per_ha")

    def get_readonly_fields(self, request, obj=None):
        # Once a season has deliveries, its factor and ceiling are part of their figures.
        if obj is not None and obj.deliveries.exists():
            return ("code", "starts_on", "ends_on", "wet_to_dry_factor", "max_yield_kg_per_ha")
        return ()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.deliveries.exists()

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from coop import services
from coop.models import (
    CollectionCentre,
    Delivery,
    Member,
    MemberStatus,
    MemberStatusChange,
    Plot,
    PriceRow,
    Season,
)
from coop.resources import TraceabilitySheetResource


class PlotInline(admin.TabularInline):
    model = Plot
    extra = 0
    fields = ("code", "community", "total_area_ha", "cocoa_installed_ha", "cocoa_producing_ha",
              "fairtrade_certified", "organic_stage", "geometry_kind")
    readonly_fields = ("geometry_kind",)
    show_change_link = True


class StatusChangeInline(admin.TabularInline):
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
class MemberAdmin(ExportMixin, SimpleHistoryAdmin):
    # «Exportar» writes the selected members as the traceability sheet.
    resource_classes = [TraceabilitySheetResource]
    change_list_template = "admin/coop/member/change_list.html"
    list_display = ("code", "name", "dni", "community", "district", "status", "join_date")
    list_filter = ("status", "sex", "district")
    search_fields = ("code", "dni", "search_text")
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [PlotInline, StatusChangeInline]
    fieldsets = (
        (None, {"fields": ("code", "dni", "name", "sex", "birth_date", "declared_age",
                           "declared_age_on", "join_date", "status")}),
        ("Ubicación y contacto", {"fields": ("community", "district", "province", "department",
                                             "address", "phone")}),
        ("Registro", {"fields": ("created_at", "updated_at")}),
    )
    change_list_template = "admin/coop/member/change_list.html"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Every member starts with a dated "active" step in their history.
            services.change_member_status(
                member=obj, status=MemberStatus.ACTIVE,
                effective_date=min(obj.join_date or timezone.localdate(), timezone.localdate()),
                note="Alta en el padrón", user=request.user,
            )

    def has_delete_permission(self, request, obj=None):
        # A member leaves by a status change (retirado, fallecido), never by deletion.
        return False

    def get_urls(self):
        return [
            path("importar/", self.admin_site.admin_view(lambda request: redirect("coop:register_import")),
                 name="coop_member_import"),
        ] + super().get_urls()


@admin.register(Plot)
class PlotAdmin(SimpleHistoryAdmin):
    list_display = ("code", "member", "community", "total_area_ha", "cocoa_producing_ha",
                    "fairtrade_certified", "organic_stage", "geometry_kind")
    list_filter = ("fairtrade_certified", "organic_stage", "geometry_kind", "district")
    search_fields = ("code", "member__code", "member__dni", "member__search_text")
    raw_id_fields = ("member",)
    readonly_fields = ("geometry_kind", "centroid_lat", "centroid_lon", "created_at", "updated_at")
    list_select_related = ("member",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "starts_on", "ends_on", "wet_to_dry_factor", "max_yield_kg_per_ha")

    def get_readonly_fields(self, request, obj=None):
        # Once a season has deliveries, its factor and ceiling are part of their figures.
        if obj is not None and obj.deliveries.exists():
            return ("code", "starts_on", "ends_on", "wet_to_dry_factor", "max_yield_kg_per_ha")
        return ()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.deliveries.exists()


@admin.register(CollectionCentre)
class CollectionCentreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "community", "receipt_series", "last_receipt_number", "active")
    readonly_fields = ("last_receipt_number",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.last_receipt_number:
            return ("receipt_series", "last_receipt_number")
        return ("last_receipt_number",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriceRow)
class PriceRowAdmin(admin.ModelAdmin):
    """The dated price list. A row that priced a delivery is read-only: add a new dated row instead."""

    list_display = ("valid_from", "form", "grade", "certification", "price_per_kg", "note", "created_by")
    list_filter = ("form", "grade", "certification")
    date_hierarchy = "valid_from"
    readonly_fields = ("created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_used:
            return ("valid_from", "form", "grade", "certification", "price_per_kg", "note", "created_by",
                    "created_at")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_used

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries are recorded on the clerk's page or imported, and voided, never edited."""

    change_list_template = "admin/coop/delivery/change_list.html"
    list_display = ("__str__", "date", "centre", "member", "form", "net_g", "certification", "amount_minor",
                    "status", "yield_flag", "external_ref")
    list_filter = ("status", "yield_flag", "season", "centre", "form", "certification")
    search_fields = ("member__code", "member__dni", "external_ref")
    list_select_related = ("member", "centre")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("importar/", self.admin_site.admin_view(lambda request: redirect("ledger:delivery_import")),
                 name="coop_delivery_import"),
        ] + super().get_urls()

"""Admin pages of collection: centres and the price list to configure, deliveries to read."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path

from acopio.models import CollectionCentre, Delivery, PriceRow, Supplier
from toolkit.admin import TypedNumbersAdmin


@admin.register(CollectionCentre)
class CollectionCentreAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    list_display = ("code", "name", "community", "receipt_series", "last_receipt_number", "active")
    readonly_fields = ("last_receipt_number",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.last_receipt_number:
            return ("receipt_series", "last_receipt_number")
        return ("last_receipt_number",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriceRow)
class PriceRowAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    """The dated price list. A row that priced a delivery is read-only: add a new dated row instead."""

    list_display = ("valid_from", "form", "grade", "certification", "price_per_kg", "note", "created_by")
    list_filter = ("form", "grade", "certification")
    date_hierarchy = "valid_from"
    readonly_fields = ("created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_used:
            return (
                "valid_from",
                "form",
                "grade",
                "certification",
                "price_per_kg",
                "note",
                "created_by",
                "created_at",
            )
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_used

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    """Read-only: deliveries are recorded on the clerk's page or imported, and voided, never edited."""

    change_list_template = "admin/acopio/delivery/change_list.html"
    list_display = (
        "__str__",
        "date",
        "centre",
        "member",
        "supplier",
        "form",
        "net_g",
        "certification",
        "amount_minor",
        "status",
        "yield_flag",
        "external_ref",
    )
    list_filter = ("status", "yield_flag", "season", "centre", "form", "certification")
    search_fields = ("member__code", "member__dni", "supplier__document", "external_ref")
    list_select_related = ("member", "supplier", "centre")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "importar/",
                self.admin_site.admin_view(lambda request: redirect("acopio:delivery_import")),
                name="acopio_delivery_import",
            ),
        ] + super().get_urls()


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    """Read-only: suppliers are registered on their page (acopio.services.create_supplier), which gives
    each its payable account."""

    list_display = ("document", "name", "origin", "account", "created_at")
    search_fields = ("document", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

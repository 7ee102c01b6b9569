"""The ledger in the admin: read-only. Entries are written by ledger.services, never here."""

from django.contrib import admin

from ledger.models import Account, JournalEntry, JournalLine, MemberMovement
from toolkit.admin import TypedNumbersAdmin


class ReadOnlyAdmin(TypedNumbersAdmin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "currency", "member")
    list_filter = ("kind", "currency")
    search_fields = ("code", "name", "member__code", "member__dni")
    list_select_related = ("member",)
    show_full_result_count = False


class JournalLineInline(TypedNumbersAdmin, admin.TabularInline):
    model = JournalLine
    fields = ("account", "amount", "currency", "memo")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("number", "date", "description", "source_key", "posted_by", "posted_at")
    search_fields = ("=number", "source_key", "description")
    # No date hierarchy: its row of years read every entry's date (half a million at cooperative
    # scale) on each page. Newest first, by number; search by number, document or description.
    # (No date filter either: an index on the date would lead SQLite to read a member's statement
    # from every entry of the season instead of from the member's account.)
    ordering = ("-number",)
    list_select_related = ("posted_by",)
    inlines = [JournalLineInline]
    show_full_result_count = False


@admin.register(MemberMovement)
class MemberMovementAdmin(ReadOnlyAdmin):
    list_display = ("date", "member", "kind", "method", "amount_minor", "document", "entered_by")
    list_filter = ("kind", "method")
    search_fields = ("member__code", "member__dni", "document")
    list_select_related = ("member", "entered_by")
    show_full_result_count = False

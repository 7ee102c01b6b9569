"""The ledger in the admin: read-only. Entries are written by ledger.services, never here."""

from django.contrib import admin

from ledger.models import Account, JournalEntry, JournalLine, MemberMovement


class ReadOnlyAdmin(admin.ModelAdmin):
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


class JournalLineInline(admin.TabularInline):
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
    # Not a date hierarchy: its row of years reads every entry's date (half a million at cooperative
    # scale) on each page. The date filter's choices are fixed; each is a range of the (date, number)
    # index, which also gives the newest entries first without a sort.
    list_filter = (("date", admin.DateFieldListFilter),)
    ordering = ("-date", "-number")
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

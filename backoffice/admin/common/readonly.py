"""Read-only admin behaviour for audit trails (inventory log, status timeline, import history)."""


class ReadOnlyAdminMixin:
    """Rows are written by the system only: nobody adds, changes, deletes or imports them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return False

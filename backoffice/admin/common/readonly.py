"""Read-only admin behaviour: audit trails (stock movements, status timeline, import history)
and inlines that only show what is written elsewhere."""


class ReadOnlyPermissionsMixin:
    """Shown, never added, changed or deleted here: the rows are written by a service."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin(ReadOnlyPermissionsMixin):
    """Rows are written by the system only: nobody adds, changes, deletes or imports them."""

    def has_import_permission(self, request):
        return False

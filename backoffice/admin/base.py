"""What every model admin of the back office shares."""

from import_export.admin import ImportExportModelAdmin


class BackofficeAdmin(ImportExportModelAdmin):
    """Base class of every model admin: Import/Export through the model's resources."""

    list_per_page = 50

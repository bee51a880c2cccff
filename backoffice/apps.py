from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackofficeConfig(AppConfig):
    default = True
    name = "backoffice"
    verbose_name = "Shop back office"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from backoffice import signals
        from backoffice.figures import signals as figure_signals

        signals.connect()
        figure_signals.connect()


class BackofficeAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the back office's site (dashboard, reports, Query Lab)."""

    default = False
    default_site = "backoffice.sites.BackofficeAdminSite"

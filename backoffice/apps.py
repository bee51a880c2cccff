from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Shop back office"
    default_auto_field = "django.db.models.BigAutoField"

"""Admins of ours that take the place of one a library registered (Django's users and groups,
django-axes' login records), so that every list behaves like the back office's own."""

from django.contrib import admin


def replaces_library_admin(model):
    """Register the decorated admin for ``model`` instead of the one a library registered."""

    def decorator(admin_class):
        admin.site.unregister(model)
        admin.site.register(model, admin_class)
        return admin_class

    return decorator

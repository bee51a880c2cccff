"""The admin's history (``LogEntry``) for writes made in bulk.

Django's admin logs what its own forms save and what ``delete_selected`` deletes; our bulk
actions write through services, so the services log each object they change here, in the same
transaction, and "Recent actions" and each object's History page show it. This is
``LogEntry.objects.log_actions`` (Django 5.1+) with one message per object (a price's old and
new value), which ``log_actions`` cannot take: it gives every object the same message.
"""

from collections.abc import Callable, Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from backoffice.models import Product

BATCH = 2000


def history_record_changes(*, user, objects: Iterable, message: str | Callable[[object], str]):
    """One CHANGE entry per object, by ``user`` (nothing for system writes: no user)."""
    if user is None or not getattr(user, "pk", None):
        return
    entries = []
    content_types = {}
    for obj in objects:
        model = type(obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model).pk
        entries.append(
            LogEntry(
                user_id=user.pk,
                content_type_id=content_types[model],
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                action_flag=CHANGE,
                change_message=message(obj) if callable(message) else message,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH)


def history_record_product_changes(
    *, user, product_ids: Iterable[int], message: str | Callable[[Product], str]
) -> None:
    """An entry for each of these products (their names read in one query)."""
    ids = set(product_ids)
    if user is None or not ids:
        return
    history_record_changes(
        user=user,
        objects=Product.objects.filter(pk__in=ids).order_by("pk").only("pk", "name"),
        message=message,
    )

"""How the admin counts things in its messages, and how it warns once.

Counts go through Django's own plural machinery (``model_ngettext`` for a model's verbose
names, ``ngettext`` for any other noun) so that "1 product" / "3 products" is written one way
everywhere and stays translatable.
"""

from django.contrib import messages
from django.contrib.admin.utils import model_ngettext
from django.utils.translation import ngettext


def count_of(count: int, noun, plural: str | None = None) -> str:
    """``"1 product"``, ``"3 products"``.

    ``noun`` is a model, an instance or a queryset (its verbose names are used), or a singular
    word with its ``plural`` (default: the word plus "s").
    """
    if isinstance(noun, str):
        word = ngettext(noun, plural or f"{noun}s", count)
    else:
        word = model_ngettext(noun, count)
    return f"{count} {word}"


def warn_once(request, text: str) -> None:
    """Add a warning message once per request.

    Django builds a list's filters more than once per request (the list, then the facet
    counts), and each build would repeat the same warning; the texts already sent live on the
    request for that request only.
    """
    seen = request.__dict__.setdefault("_backoffice_warnings", set())
    if text not in seen:
        seen.add(text)
        messages.warning(request, text)

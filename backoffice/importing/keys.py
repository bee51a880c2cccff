"""Foreign keys that staff can read: an id column and a readable key column side by side.

An export writes ``category_id`` (the id) and ``category`` (the name); an import accepts
either or both. Both columns feed one relation:

* only the id: the object with that id (a name typed in the id column works as a key too);
* only the key: the one object whose key fields (name, SKU, username, email ...) match;
* both: the id decides and the key must describe the same object, otherwise the row is an
  error - a staff member who edited one column and not the other is told so, not guessed at.

Lookups are cached per import (and can be primed in bulk), so a file that names the same
category ten thousand times asks the database once.

Why not the library's ``ForeignKeyWidget`` / ``CachedForeignKeyWidget``: a widget reads one
column, so it can't check an id against the readable key beside it, nor say that a key
matches several objects; and ``CachedForeignKeyWidget`` loads the whole related table on its
first row (a file naming three orders would load all 1,000,000 of them, and 100,000 products
with every column). ``KeyResolver`` asks only for the ids and keys the file names, and bounds
its cache.
"""

from import_export import fields, widgets

from backoffice.importing.lookups import one_of

_MISSING = object()
# objects a resolver keeps between chunks: a chunk of 5,000 rows names at most that many, and
# a bound keeps a worker's memory flat however many distinct rows a file names
_CACHE_LIMIT = 20_000


class KeyResolver:
    """Finds the related object from the id and/or readable key of one row."""

    def __init__(self, model, key_fields: tuple[str, ...] = (), select_related=()):
        self.model = model
        self.key_fields = key_fields
        self.select_related = tuple(select_related)
        self._cache: dict = {}

    @property
    def label(self) -> str:
        return self.model._meta.verbose_name

    def queryset(self):
        queryset = self.model._default_manager.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    def resolve(self, id_value, key_value):
        id_value = _blank_to_none(id_value)
        key_value = _blank_to_none(key_value)
        if id_value is not None and not _is_id(id_value):
            if key_value is not None and str(key_value) != str(id_value):
                raise ValueError(
                    f"{id_value!r} is not an id, and the {self.label} column says {key_value!r}."
                )
            id_value, key_value = None, id_value  # a name typed into the id column
        if id_value is None:
            return None if key_value is None else self.by_key(key_value)
        obj = self.by_pk(int(float(id_value)))
        if key_value is not None and not self.matches(obj, key_value):
            raise ValueError(
                f"The {self.label} with id {obj.pk} is {self.render_key(obj)!r}, but the row "
                f"says {str(key_value)!r}. Correct one of the two columns or empty one of them."
            )
        return obj

    def by_pk(self, pk: int):
        obj = self._cache.get(("pk", pk), _MISSING)
        if obj is _MISSING:
            obj = self.queryset().filter(pk=pk).first()
            self._remember(("pk", pk), obj)
        if obj is None:
            raise ValueError(f"There is no {self.label} with id {pk}.")
        return obj

    def by_key(self, value):
        text = str(value).strip()
        obj = self._cache.get(("key", text), _MISSING)
        if obj is _MISSING:
            obj = self._lookup_key(text)
            self._remember(("key", text), obj)
        if obj is None:
            wanted = " or ".join(f.split("__")[-1] for f in self.key_fields) or "id"
            raise ValueError(f"There is no {self.label} with {wanted} {text!r}.")
        if isinstance(obj, int):
            raise ValueError(
                f"{obj} {self.model._meta.verbose_name_plural} match {text!r}; "
                f"use the id column to say which one."
            )
        return obj

    def _lookup_key(self, text):
        for field in self.key_fields:
            matches = list(self.queryset().filter(**{field: text})[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                return self.queryset().filter(**{field: text}).count()
        return None

    def cached(self, pk):
        """The object with this id, or None (no error: for reading, not for importing)."""
        try:
            return self.by_pk(pk)
        except ValueError:
            return None

    def matches(self, obj, value) -> bool:
        text = str(value).strip()
        return any(str(_follow(obj, field) or "") == text for field in self.key_fields)

    def render_key(self, obj):
        if obj is None:
            return None
        for field in self.key_fields:
            value = _follow(obj, field)
            if value not in (None, ""):
                return value
        return None

    def prime(self, pks) -> None:
        """Load these ids in a few queries (bulk imports), instead of one query per row."""
        wanted = sorted({int(pk) for pk in pks if ("pk", int(pk)) not in self._cache})
        if len(self._cache) + len(wanted) > _CACHE_LIMIT:
            self._cache.clear()  # now, not half-way through this chunk's ids
        # Only the id and the key fields: the objects serve as foreign-key targets, and loading
        # every column of 100,000 rows would cost more than the import itself.
        queryset = self.queryset().only("pk", *self.key_fields)
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            found = {obj.pk: obj for obj in queryset.filter(one_of("pk", chunk))}
            for pk in chunk:
                self._remember(("pk", pk), found.get(pk))

    def _remember(self, key, obj):
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = obj


def _follow(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _blank_to_none(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value


def _is_id(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return str(value).isdigit()


class ReadableKeyField(fields.Field):
    """One of the two columns of a readable foreign key (``role`` is "id" or "key")."""

    def __init__(self, attribute, column_name, *, resolver, id_column, key_column, role):
        super().__init__(attribute=attribute, column_name=column_name, widget=widgets.Widget())
        self.resolver = resolver
        self.id_column = id_column
        self.key_column = key_column
        self.role = role

    def clean(self, row, **kwargs):
        id_value = row.get(self.id_column) if self.id_column else None
        key_value = row.get(self.key_column) if self.key_column else None
        return self.resolver.resolve(id_value, key_value)

    def present_in(self, row) -> bool:
        return any(column and column in row for column in (self.id_column, self.key_column))

    def get_value(self, instance):
        model_field = instance._meta.get_field(self.attribute)
        pk = getattr(instance, model_field.attname)
        if self.role == "id" or pk is None:
            return pk  # the raw id: no query for the related object
        if model_field.is_cached(instance):  # select_related (exports) or set by this import
            return getattr(instance, self.attribute)
        return self.resolver.cached(pk)

    def export(self, instance, **kwargs):
        value = self.get_value(instance)
        if self.role == "id":
            return value
        return self.resolver.render_key(value)


def readable_foreign_key(
    name: str, model, key_fields: tuple[str, ...] = (), *, select_related=(), key_column=None
):
    """The fields of one foreign key: ``<name>_id`` and, with key fields, ``<name>``."""
    resolver = KeyResolver(model, key_fields, select_related=select_related)
    id_column = f"{name}_id"
    key_column = (key_column or name) if key_fields else None
    id_field = ReadableKeyField(
        name,
        id_column,
        resolver=resolver,
        id_column=id_column,
        key_column=key_column,
        role="id",
    )
    if not key_fields:
        return id_field, None
    key_field = ReadableKeyField(
        name,
        key_column,
        resolver=resolver,
        id_column=id_column,
        key_column=key_column,
        role="key",
    )
    return id_field, key_field

"""The indexes behind the admin's searches.

Django's ``icontains``, ``istartswith`` and ``iexact`` become ``UPPER("col"::text) LIKE UPPER(%s)``
(or ``=``) on PostgreSQL: a trigram GIN index on ``UPPER(col)`` answers all three, whatever the
part of the text searched for (``pg_trgm``, ``TrigramExtension`` in ``0010_search_indexes``).
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper


class SearchIndex(GinIndex):
    """A trigram GIN index on PostgreSQL; elsewhere (SQLite) a plain index of the same name on
    the same expression.

    It is a model's index (in its ``Meta``, so migrations keep it in their state and
    ``makemigrations`` stays quiet) that every database can create. A migration operation that
    creates it on PostgreSQL only would not be enough: Django's schema editor creates a model's
    ``Meta.indexes`` again whenever it builds the table (SQLite rebuilds the table for most
    column changes), and a GIN index with an operator class is no SQL SQLite can run. The plain
    index is no use to SQLite's LIKE, and costs nothing at the sizes SQLite holds.
    """

    @classmethod
    def on_upper(cls, field_name: str, name: str) -> "SearchIndex":
        return cls(OpClass(Upper(field_name), name="gin_trgm_ops"), name=name)

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            expression.get_source_expressions()[0]
            if isinstance(expression, OpClass)
            else expression
            for expression in self.expressions
        ]
        return models.Index(*plain, name=self.name).create_sql(model, schema_editor, **kwargs)

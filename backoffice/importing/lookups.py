"""``field = ANY(%s)``: a set of values as one array parameter, on PostgreSQL.

An import asks for the objects of 5,000 rows at a time (their ids, SKUs, orders). ``__in``
writes one placeholder per value, and psycopg then parses and converts a statement of 5,000
parameters on the client, per query: a measurable part of a million-row import. PostgreSQL
takes the whole list as one array (``= ANY``), with the same index use; SQLite has no arrays
and keeps ``IN``.
"""

from django.db import connection
from django.db.models import Field, ForeignObject, Lookup, Q


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        prep = self.lhs.output_field.get_db_prep_value
        return "%s", [[prep(v, connection, prepared=False) for v in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # foreign keys ("order_id") don't inherit Field's lookups


def one_of(field: str, values) -> Q:
    """``field`` in ``values``: one array parameter on PostgreSQL, ``IN`` elsewhere."""
    values = list(values)
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__any_of": values})
    return Q(**{f"{field}__in": values})

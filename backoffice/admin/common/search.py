"""The admin's search, as id sets, so that each table's condition can use that table's own index.

Django's ``ModelAdmin.get_search_results`` ORs every search field's lookup in one WHERE over the
joins of the related paths (``customer__user__first_name``, ``items__product__name``), and when a
path crosses a many-valued relation the change list wraps itself in ``EXISTS`` against duplicate
rows. No index serves an OR across joined tables: at 1,000,000 orders PostgreSQL walked every
order with its customer, user and lines (35 s for "Nancy").

Here the search fields are split at their relations into a tree rooted at the listed model. A
term's condition on one table is the OR of that table's own lookups (on PostgreSQL a BitmapOr of
its trigram indexes, migration ``0010_search_indexes``); a relation contributes the ids its
table matched: ``customer_id IN (customers whose user matched)``, ``id IN (order_id of the lines
whose product matched)``. A table's ids are the ``UNION ALL`` of those branches, each of them an
index scan; an OR of IN-subqueries on a big table is planned as a full scan probing hashed
subplans, one second on the order list (docs/performance.md, "Search at size"). Ids in a set
never repeat a row, so no DISTINCT or EXISTS is needed. SQLite runs the same SQL with plain LIKE.

Django's semantics are kept: terms split by ``smart_split`` (quotes keep a phrase), each term must
match some field, ``^`` (starts with), ``=`` (iexact), ``@`` (full-text search) and explicit
lookups (``id__exact``). Django compares ``exact`` on a number field as text (a cast, so that a
word is no error); here the term is compared as the number when it is that number's text, and
matches nothing otherwise: the same rows, and the primary key's index answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.utils.text import smart_split, unescape_string_literal

from backoffice.querysets.expressions import EqualsAny, fetched_ids

# bigint's range: a longer number is no id of any row (and would overflow the parameter)
NUMBER_RANGE = range(-(2**63), 2**63)


class IdSetSearchMixin:
    """Part of ``BackofficeAdmin``: the list's search and the autocomplete endpoint's."""

    def get_search_results(self, request, queryset, search_term):
        found = search(queryset, self.get_search_fields(request), search_term, fetch_ids=True)
        return found, False

    def get_autocomplete_queryset(self, request):
        """The rows the autocomplete endpoint searches (``autocomplete.py``): an admin whose list
        adds figures returns its model's rows with only what ``str()`` of a row reads."""
        return self.get_queryset(request)


def search(queryset, search_fields, search_term, *, fetch_ids: bool = False):
    """``queryset`` narrowed to the rows that match every term of ``search_term`` in some field.
    With ``fetch_ids`` a term's id set crossing relations is read once, here, and passed on as
    its ids (``fetched_ids``); else it stays a subquery of the queryset."""
    terms = search_terms(search_term)
    if not (search_fields and terms):
        return queryset
    root = SearchTree.of(queryset.model, search_fields)
    for term in terms:
        conditions = root.conditions(term)
        if not conditions:  # the term can match no field (a word against numbers only)
            return queryset.none()
        if len(conditions) == 1 and not root.joins_many:  # one table, or one relation
            queryset = queryset.filter(conditions[0])
        else:
            matching = root.matching(term, queryset.model._meta.pk.attname)
            ids = fetched_ids(matching, queryset.db) if fetch_ids else None
            if ids is None:
                queryset = queryset.filter(pk__in=matching)
            else:
                queryset = queryset.filter(EqualsAny(models.F("pk"), ids))
    return queryset


def search_terms(search_term: str) -> list[str]:
    """Django's split: by whitespace, a quoted phrase staying one term (without its quotes)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        terms.append(bit)
    return terms


@dataclass
class Leaf:
    """One search field's lookup on its own table."""

    lookup: str  # relative to the table, lookup included: "name__icontains"
    number_path: str | None = None  # "exact" on a number: compared by the number
    text_cast_path: str | None = None  # "exact" on another non-text field: compared as text

    def condition(self, term: str) -> models.Q | None:
        if self.number_path:
            number = _number_of_text(term)
            return None if number is None else models.Q(**{self.number_path: number})
        if self.text_cast_path:
            cast = Cast(self.text_cast_path, output_field=models.CharField())
            return models.Q(Exact(cast, term))
        return models.Q(**{self.lookup: term})


@dataclass
class Hop:
    """One step along a relation, from a table to the next: how the next table's ids become
    ids of this one.

    ``forward`` is a foreign key of this table (``customer``); otherwise ``key`` is the next
    table's foreign key pointing here (a reverse relation: ``items``, or half of a
    many-to-many, through its table)."""

    key: models.ForeignKey
    forward: bool

    @property
    def model(self):
        return self.key.related_model if self.forward else self.key.model

    @property
    def next_column(self) -> str:
        """The column of the next table whose values the step needs."""
        return self.key.target_field.attname if self.forward else self.key.attname

    def condition(self, next_values) -> models.Q:
        """This table's rows that the next table's ``next_values`` reach."""
        if self.forward:
            return models.Q(**{f"{self.key.attname}__in": next_values})
        return models.Q(**{f"{self.key.target_field.attname}__in": next_values})

    def values(self, this_model, next_values, column: str):
        """``column`` of those rows."""
        if not self.forward and column == self.key.target_field.attname:
            return next_values  # the next table's key holds them already
        rows = this_model._base_manager.filter(self.condition(next_values))
        return rows.order_by().values(column)


@dataclass
class SearchTree:
    """A table's own lookups, and the tables its search fields reach through relations."""

    model: type[models.Model]
    leaves: list[Leaf] = field(default_factory=list)
    branches: dict[str, tuple[list[Hop], SearchTree]] = field(default_factory=dict)
    # a lookup Django has to join for (a generic relation): on the listed table, only as ids
    joins_many: bool = False

    @classmethod
    def of(cls, model, search_fields) -> SearchTree:
        root = cls(model)
        for name in search_fields:
            root.add(str(name))
        return root

    def add(self, search_field: str) -> None:
        modifier = {"^": "istartswith", "=": "iexact", "@": "search"}.get(search_field[:1])
        path = search_field[1:] if modifier else search_field
        parts = path.split(LOOKUP_SEP)
        tree = self
        while len(parts) > 1 and (hops := _hops(tree.model, parts[0], parts[1])):
            _, tree = tree.branches.setdefault(parts[0], (hops, SearchTree(hops[-1].model)))
            parts = parts[1:]
        tree.leaves.append(_leaf(tree.model, parts, modifier))
        if _joins_many(tree.model, parts):
            tree.joins_many = True

    def local_condition(self, term: str) -> models.Q | None:
        conditions = [c for leaf in self.leaves if (c := leaf.condition(term)) is not None]
        return models.Q.create(conditions, connector=models.Q.OR) if conditions else None

    def conditions(self, term: str) -> list[models.Q]:
        """The conditions on this table, one per branch that can match ``term``: its own
        lookups, and each relation's."""
        found = [] if (local := self.local_condition(term)) is None else [local]
        for hops, tree in self.branches.values():
            if (next_values := _next_values(hops, tree, term)) is not None:
                found.append(hops[0].condition(next_values))
        return found

    def matching(self, term: str, column: str):
        """``column`` of this table's rows matching ``term`` (a query of one column, the
        ``UNION ALL`` of the branches), or None when no row can match."""
        queries = []
        if (local := self.local_condition(term)) is not None:
            queries.append(self.model._base_manager.filter(local).order_by().values(column))
        for hops, tree in self.branches.values():
            if (next_values := _next_values(hops, tree, term)) is not None:
                queries.append(hops[0].values(self.model, next_values, column))
        if not queries:
            return None
        return queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]


def _next_values(hops, tree, term):
    """The values the first of ``hops`` needs from its next table: of the rows reaching, through
    the other hops, rows of ``tree`` matching ``term``."""
    hop, rest = hops[0], hops[1:]
    if not rest:
        return tree.matching(term, hop.next_column)
    next_values = _next_values(rest, tree, term)
    return None if next_values is None else rest[0].values(hop.model, next_values, hop.next_column)


def _hops(model, name: str, next_name: str) -> list[Hop] | None:
    """The steps from ``model`` along its relation ``name``, or None where the search field's
    lookup stays on this table: not a relation (a column, a JSON key), a lookup of the relation
    itself (``customer__exact``), its key's own column (``order__id``: Django reads ``order_id``
    without a join), or a relation other than foreign keys (a generic relation)."""
    opts = model._meta
    try:
        relation = opts.get_field(opts.pk.name if name == "pk" else name)
    except FieldDoesNotExist:
        return None
    if not relation.is_relation or relation.related_model is None:
        return None  # a column, or a generic foreign key
    if relation.get_lookup(next_name):
        return None
    remote = relation.related_model._meta
    if relation.many_to_many:
        if relation.concrete:  # the ManyToManyField: its through table's two keys
            through = relation.remote_field.through._meta
            here, there = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        else:  # the reverse side: the other model's ManyToManyField
            through = relation.through._meta
            here, there = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
        return [Hop(through.get_field(here), forward=False), Hop(through.get_field(there), True)]
    if relation.concrete and isinstance(relation, models.ForeignKey):
        target = relation.target_field.name
        if next_name == target or (next_name == "pk" and remote.pk.name == target):
            return None
        return [Hop(relation, forward=True)]
    if isinstance(getattr(relation, "field", None), models.ForeignKey):  # a reverse relation
        return [Hop(relation.field, forward=False)]
    return None


def _leaf(model, parts: list[str], modifier: str | None) -> Leaf:
    """The lookup Django's ``construct_search`` makes of a search field, on its own table."""
    path = LOOKUP_SEP.join(parts)
    if modifier:
        return Leaf(f"{path}__{modifier}")
    opts, previous = model._meta, None
    for index, part in enumerate(parts):
        try:
            found = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            if previous is not None and previous.get_lookup(part):
                if part != "exact" or isinstance(previous, (models.CharField, models.TextField)):
                    return Leaf(path)
                compared = LOOKUP_SEP.join(parts[:index])
                number = previous.target_field if previous.is_relation else previous
                if isinstance(number, models.IntegerField):
                    return Leaf(path, number_path=compared)
                return Leaf(path, text_cast_path=compared)
            continue  # a transform (a JSON key): Django goes on the same way
        previous = found
        if hasattr(found, "path_infos"):
            opts = found.path_infos[-1].to_opts
    return Leaf(f"{path}__icontains")


def _joins_many(model, parts: list[str]) -> bool:
    from django.contrib.admin.utils import lookup_spawns_duplicates

    return lookup_spawns_duplicates(model._meta, LOOKUP_SEP.join(parts))


def _number_of_text(term: str) -> int | None:
    """The number whose text (as the database casts it) is ``term``, if there is one."""
    try:
        number = int(term)
    except ValueError:
        return None
    return number if str(number) == term and number in NUMBER_RANGE else None

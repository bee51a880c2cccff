"""The import engine of the job path: a file of any size, read and written a chunk at a time.

django-import-export's ``import_data`` costs about 10 ms a row here (a savepoint, a query for
the row's object and one per foreign key, a deep copy and an HTML diff, ``full_clean`` with its
queries, one ``save()``), and it takes a ``Dataset``: the whole file in memory, and a result
that keeps every row. At a real shop's size (a million order lines) that is hours and
gigabytes. This engine keeps what the library's resources define - our ``BackofficeResource``
subclasses, their widgets, keys, ``clean()``, ``row_rules`` and hooks - and changes how the rows
flow, as the library's bulk mode does but further:

* rows stream from the file (``formats.read_table``) in chunks of ``CHUNK_ROWS``;
* per chunk, the rows' existing objects are read in one query per key (id, natural key) and
  their foreign keys primed in one query per relation; each row is then cleaned and validated
  in Python exactly as the per-row path does (``import_instance``, ``validate_instance``);
* on apply, a chunk's rows are written with ``bulk_create`` / ``bulk_update`` of the file's
  columns, tags with one insert and one delete of links, stock through the ledger in bulk
  (``stock_apply_changes``: one log row per change, reason "import", the import record), a
  created product's stock as its opening-stock row; kept figures follow through
  ``figures.collecting()`` (the QuerySets report what their bulk writes touch);
* the whole apply is one transaction: a row error, a refused batch or a killed worker leaves
  nothing of the file written;
* the preview keeps per row one byte (its kind) and a 32-bit digest of what it does (its
  object's stored values and the new ones), and the first ``DETAIL_ROWS`` rows whole (the
  job page's changes, the confirm's exact comparison); confirm then checks every row against
  that without keeping a million rows' values.

Memory stays flat in the number of rows for CSV and TSV (JSON and workbooks are parsed whole
by their libraries); what grows is a byte and a digest per row, and an order-line file's
per-order totals (the "will differ" count).
"""

import hashlib
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone
from import_export.instance_loaders import ModelInstanceLoader

from backoffice.importing.formats import Table
from backoffice.importing.keys import ReadableKeyField, _is_id
from backoffice.importing.lookups import one_of
from backoffice.importing.report import RowProblem, RowReport, describe_exception
from backoffice.importing.resource_base import NOT_LOADED
from backoffice.services.edits import EDIT_BUMP

CHUNK_ROWS = 5000
#: rows whose whole before/after a preview keeps (the job page, the confirm's exact check)
DETAIL_ROWS = 2000
KIND_CODE = {"new": ord("n"), "updated": ord("u"), "unchanged": ord("s"), "error": ord("e")}
KIND_OF_CODE = {code: kind for kind, code in KIND_CODE.items()}


@dataclass
class Outcome:
    """What a pass over the file found (preview) or did (apply)."""

    rows: int = 0
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # about the file as a whole
    notes: list[str] = field(default_factory=list)
    kinds: bytearray = field(default_factory=bytearray)  # one KIND_CODE per row
    digests: array = field(default_factory=lambda: array("I"))  # one per row
    detail: list[RowReport] = field(default_factory=list)  # the first DETAIL_ROWS rows
    id_remaps: dict = field(default_factory=dict)  # file id -> id given (user accounts)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.counts["error"]

    def count_dict(self) -> dict[str, int]:
        return {k: self.counts[k] for k in ("new", "updated", "unchanged", "deleted", "error")}


@dataclass
class Promise:
    """What the preview said each row would do (read back at confirm)."""

    kinds: bytes
    digests: array
    detail: dict  # line -> RowReport.comparable()


ErrorSink = Callable[[int, str, str, str], None]  # line, column, value, problem


class ChangedSincePreview(Exception):
    """A row would now do something else than the preview said."""


def run(
    resource_class,
    table: Table,
    *,
    apply: bool,
    user=None,
    file_name: str = "",
    ignored_columns=frozenset(),
    import_record=None,
    promise: Promise | None = None,
    skip_lines: frozenset = frozenset(),
    on_error: ErrorSink | None = None,
    on_skipped: Callable[[int, dict], None] | None = None,
    progress=None,
    on_chunk_written: Callable | None = None,
) -> Outcome:
    """Preview (``apply=False``: nothing is written) or apply the file, a chunk at a time.

    On apply the caller holds the transaction; each row is checked against ``promise`` and a
    difference raises ``ChangedSincePreview`` (the caller rolls back). ``skip_lines``: rows
    left out (the rejected rows of "apply the valid rows"; ``on_skipped`` hears each).
    ``on_error`` hears every problem; ``on_chunk_written(created, updated)`` every chunk
    written (the admin's history).
    """
    outcome = Outcome()
    resource = resource_class(track_changes=True)
    resource.progress = None  # progress is told per chunk here, not per row
    problems = resource.check_headers(table.headers, also_known=ignored_columns)
    if problems:
        outcome.problems += problems
        return outcome
    ignored = [h for h in table.headers if h in ignored_columns]
    if ignored:
        outcome.notes.append(
            "These columns are written by exports but not imported, and are ignored: "
            + ", ".join(ignored)
            + "."
        )
    engine = _Engine(resource, table.headers, apply=apply, outcome=outcome, on_error=on_error)
    engine.on_skipped = on_skipped
    engine.progress = progress
    kwargs = {
        "dry_run": not apply,
        "user": user,
        "import_record": import_record,
        "file_name": file_name,
    }
    first = True
    line = 2
    for chunk in _chunks(table.rows, CHUNK_ROWS):
        dataset = tablib.Dataset(*chunk, headers=table.headers)
        if first:
            resource.before_import(dataset, **kwargs)  # adds blank id columns if needed
            first = False
        else:
            resource._add_blank_id_columns(dataset)
        resource.before_chunk(dataset, **kwargs)
        written = engine.run_chunk(dataset, line, promise=promise, skip_lines=skip_lines)
        if on_chunk_written is not None and written and any(written):
            on_chunk_written(*written)
        line += len(chunk)
    outcome.problems += engine.duplicates
    if apply and outcome.counts["new"] and not outcome.problems:
        _move_sequence_past_ids(resource._meta.model)
    resource.after_chunks(outcome, dry_run=not apply)
    outcome.notes += resource.import_notes
    return outcome


def _chunks(rows: Iterable, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _SeenKeys:
    """Keys seen in the file so far, each as a 64-bit hash in an open-addressing table of two
    arrays (about 24 bytes a row; a set of a million tuples of strings would be most of a
    worker's memory). ``add`` returns the line that had the key first, or None."""

    def __init__(self):
        self.size = 1 << 12
        self.hashes = array("Q", bytes(8 * self.size))
        self.lines = array("I", bytes(4 * self.size))
        self.used = 0

    def add(self, key, line: int) -> int | None:
        digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little") | 1  # 0 marks a free slot
        slot = self._slot(value)
        if self.hashes[slot] == value:
            return self.lines[slot]
        self.hashes[slot], self.lines[slot] = value, line
        self.used += 1
        if self.used * 2 > self.size:
            self._grow()
        return None

    def _slot(self, value: int) -> int:
        mask = self.size - 1
        slot = value & mask
        while self.hashes[slot] not in (0, value):
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        entries = [(h, n) for h, n in zip(self.hashes, self.lines, strict=True) if h]
        self.size *= 2
        self.hashes = array("Q", bytes(8 * self.size))
        self.lines = array("I", bytes(4 * self.size))
        for value, line in entries:
            slot = self._slot(value)
            self.hashes[slot], self.lines[slot] = value, line


class _Loader:
    """A chunk's existing objects: by id in one query, by each natural key in one query."""

    def __init__(self, resource, rows: list[dict]):
        self.resource = resource
        model = resource._meta.model
        queryset = resource.get_queryset()
        # the tags of the chunk's existing objects in one query (a tags column is compared
        # with them), not one a row
        m2m = [f.attribute for f in resource._m2m_fields() if rows and f.column_name in rows[0]]
        if m2m:
            queryset = queryset.prefetch_related(*m2m)
        self.by_pk = {}
        id_columns = [resource.fields[n].column_name for n in resource.get_import_id_fields()]
        self.id_is_pk = id_columns == ["id"]
        ids = sorted({int(r["id"]) for r in rows if _is_id(r.get("id"))})
        if ids and self.id_is_pk:
            self.by_pk = {obj.pk: obj for obj in queryset.filter(one_of("pk", ids))}
        # other keys (a link's two ids): the library's own loader, a query a row
        self.per_row = None if self.id_is_pk else ModelInstanceLoader(resource)
        self.by_natural: dict[str, dict] = {}
        for column in (*resource.leading_key_fields, *resource.natural_id_fields):
            field_ = next((f for f in resource.fields.values() if f.column_name == column), None)
            if field_ is None:
                continue
            values = {str(r[column]).strip() for r in rows if r.get(column) not in (None, "")}
            if values:
                found = queryset.filter(one_of(field_.attribute, values))
                self.by_natural[column] = {
                    str(getattr(obj, field_.attribute)): obj for obj in found
                }
        self.model = model

    def get_instance(self, row):
        if self.per_row is not None:
            return self.per_row.get_instance(row)
        value = row.get("id")
        return self.by_pk.get(int(value)) if _is_id(value) else None

    def natural(self, column: str, value):
        found = self.by_natural.get(column)
        if found is None:
            return NOT_LOADED
        return found.get(str(value).strip())


class _Engine:
    def __init__(self, resource, headers, *, apply, outcome, on_error):
        self.resource = resource
        self.apply = apply
        self.outcome = outcome
        self.on_error = on_error
        self.model = resource._meta.model
        self.m2m_fields = resource._m2m_fields()
        self.detail_left = DETAIL_ROWS
        self.identities = _SeenKeys()
        self.duplicates: list[str] = []
        self.unique_checks = _unique_checks(self.model, headers, resource)
        self.seen_unique = {check.name: _SeenKeys() for check in self.unique_checks}
        # uniqueness is checked a chunk at a time below (one query per rule), and check
        # constraints are the database's (a violation refuses the file): not a query a row
        resource.validate_in_database = False

    # --- one chunk ---------------------------------------------------------------------

    def run_chunk(self, dataset, first_line: int, *, promise, skip_lines) -> int:
        resource = self.resource
        rows = [dict(zip(dataset.headers, values, strict=True)) for values in dataset]
        for key in resource.fields.values():
            if isinstance(key, ReadableKeyField) and key.role == "id" and key.id_column:
                key.resolver.prime(
                    v for r in rows if _is_id(v := r.get(key.id_column)) and not isinstance(v, bool)
                )
        if self.apply and connection.vendor == "postgresql":
            _lock(self.model, {int(r["id"]) for r in rows if _is_id(r.get("id"))})
        loader = _Loader(resource, rows)
        self.loader = loader
        created, updated, m2m = [], [], []
        for offset, row in enumerate(rows):
            line = first_line + offset
            if line in skip_lines:
                if self.on_skipped is not None:
                    self.on_skipped(line, row)
                continue
            kind, instance, digest, report = self.run_row(row, line)
            if self.progress is not None:
                self.progress.advance()  # cheap: the reporter writes twice a second at most
            resource._row_state.update(line=line, kind=kind, index=len(self.outcome.kinds))
            self.outcome.rows += 1
            self.outcome.counts[kind] += 1
            self.outcome.kinds.append(KIND_CODE[kind])
            self.outcome.digests.append(digest)
            if report is not None:
                self.outcome.detail.append(report)
            if promise is not None:
                self.check_promise(promise, line, kind, digest, report)
            if kind == "new":
                created.append((instance, row, resource._row_state))
            elif kind == "updated":
                updated.append((instance, row, resource._row_state))
            if kind in ("new", "updated") and resource._row_state.get("m2m_after"):
                m2m.append((instance, resource._row_state))
        self.check_unique(created + updated)
        created = [entry for entry in created if entry[2]["kind"] != "error"]
        updated = [entry for entry in updated if entry[2]["kind"] != "error"]
        resource.chunk_read(created, updated)
        if not self.apply or self.outcome.counts["error"]:
            return None  # nothing is written (with errors, the caller rolls the file back)
        self.write(created, updated, m2m)
        return [i for i, _, _ in created], [i for i, _, _ in updated]

    def run_row(self, row: dict, line: int):
        """(kind, instance, digest, detail report or None) of one row, as the library's
        ``import_row`` decides it: unchanged rows are skipped before validation."""
        resource = self.resource
        identity = resource._row_identity(row)
        if identity is not None:
            first = self.identities.add(identity, line)
            if first is not None and len(self.duplicates) < 20:
                described = ", ".join(f"{column} {value}" for column, value in identity)
                self.duplicates.append(
                    f"Line {line} repeats line {first} ({described}); each object may appear "
                    "once per file."
                )
        keep_detail = self.detail_left > 0
        resource.track_changes = keep_detail
        self.row_found = []
        instance = None
        try:
            resource.before_import_row(row)
            instance = resource.get_instance(self.loader, row)
            new = instance is None
            if new:
                instance = resource.init_instance(row)
            resource.after_init_instance(instance, new, row)
            errors = {}
            try:
                resource.import_instance(instance, row)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            state = resource._row_state
            if not new and not errors and not self._changes(instance, state):
                kind = "unchanged"
            else:
                resource.validate_instance(instance, errors)
                kind = "new" if new else "updated"
        except ValidationError as exc:
            self.row_problems(line, row, exc)
            kind = "error"
        except Exception as exc:  # a hook's own failure is this row's problem, not the file's
            self.problem(line, "", "", describe_exception(exc))
            kind = "error"
        state = resource._row_state
        digest = self._digest(kind, instance, state)
        report = None
        if keep_detail:
            self.detail_left -= 1
            report = RowReport(
                line=line,
                kind=kind,
                object_id="" if instance is None or instance.pk is None else str(instance.pk),
                object_repr=str(instance) if instance is not None and kind != "error" else "",
            )
            if instance is not None and kind != "error":
                report.before = state.get("before", {})
                report.after = resource._snapshot(instance, row, state.get("m2m_after"))
            report.problems = self.row_found
        return kind, instance, digest, report

    def _changes(self, instance, state) -> bool:
        stored = state.get("stored") or {}
        names = [n for n in state.get("update_fields") or () if n != "edit_version"]
        for name in names:
            model_field = instance._meta.get_field(name)
            if getattr(model_field, "auto_now", False):
                continue  # stamped by the save, not a change the file makes
            if stored.get(model_field.attname) != getattr(instance, model_field.attname):
                return True
        for column, tags in (state.get("m2m_after") or {}).items():
            field_ = next(f for f in self.m2m_fields if f.column_name == column)
            current = {obj.pk for obj in getattr(instance, field_.attribute).all()}
            if current != {obj.pk for obj in tags}:
                return True
        return False

    @staticmethod
    def _digest(kind, instance, state) -> int:
        if instance is None or kind == "error":
            return 0
        stored = state.get("stored") or {}
        names = [n for n in state.get("update_fields") or () if n != "edit_version"]
        values = []
        for name in names:
            attname = instance._meta.get_field(name).attname
            values.append((name, stored.get(attname), getattr(instance, attname)))
        m2m = sorted(
            (column, sorted(obj.pk for obj in tags))
            for column, tags in (state.get("m2m_after") or {}).items()
        )
        return zlib.crc32(repr((kind, instance.pk, values, m2m)).encode())

    def check_promise(self, promise: Promise, line: int, kind, digest, report) -> None:
        if kind == "error":
            return  # the row's own problem stops the file, and says more than a difference
        index = line - 2  # one row a line, the header being line 1
        if index >= len(promise.kinds):
            raise ChangedSincePreview("The file no longer has the rows that were previewed.")
        promised_kind = KIND_OF_CODE[promise.kinds[index]]
        if promised_kind != kind:
            raise ChangedSincePreview(
                f"Line {line}: the preview said {promised_kind!r}, now it would be {kind!r}."
            )
        promised = promise.detail.get(line)
        if promised is not None and report is not None:
            from backoffice.importing.report import ImportReport, compare_with_preview

            now = ImportReport("", "", "", rows=[report])
            differences = compare_with_preview([promised], now)
            if differences:
                raise ChangedSincePreview(differences[0])
        elif promise.digests[index] != digest:
            raise ChangedSincePreview(
                f"Line {line} changed since the preview: its object was edited meanwhile. "
                "Preview the file again."
            )

    def row_problems(self, line: int, row: dict, exc: ValidationError) -> None:
        resource = self.resource
        for attribute, messages in exc.message_dict.items():
            column = (
                "" if attribute == NON_FIELD_ERRORS else resource.column_for_attribute(attribute)
            )
            if column and column not in row:
                messages = [f"{m} (the file has no {column!r} column)" for m in messages]
            value = row.get(column) if column else ""
            for message in messages:
                self.problem(line, column, "" if value is None else str(value), message)

    def problem(self, line: int, column: str, value: str, message: str) -> None:
        if self.on_error is not None:
            self.on_error(line, column, value, message)
        self.row_found.append(RowProblem(column, value, message))

    def check_unique(self, rows) -> None:
        """Each unique rule over the chunk's new and changed rows: one query for the values
        already taken by other objects, and the file's own repeats (as ``validate_unique``
        would say them, a query a row)."""
        for check in self.unique_checks:
            keyed = []
            for instance, row, state in rows:
                values = tuple(getattr(instance, attname) for attname in check.attnames)
                if any(v is None or v == "" for v in values):
                    continue
                keyed.append((values, instance, row, state))
            if not keyed:
                continue
            taken = check.taken({values for values, *_ in keyed})
            for values, instance, row, state in keyed:
                line = state["line"]
                owner = taken.get(values)
                again = self.seen_unique[check.name].add(values, line)
                if owner is not None and owner != instance.pk:
                    self._unique_problem(state, row, check, check.message)
                elif again is not None:
                    self._unique_problem(
                        state, row, check, f"{check.message[:-1]} in this file (line {again})."
                    )

    def _unique_problem(self, state, row, check, message) -> None:
        line = state["line"]
        column = self.resource.column_for_attribute(check.fields[0])
        self.row_found = []
        self.problem(line, column, str(row.get(column, "")), message)
        self.outcome.counts[state["kind"]] -= 1
        self.outcome.counts["error"] += 1
        self.outcome.kinds[state["index"]] = KIND_CODE["error"]
        for report in self.outcome.detail:
            if report.line == line:
                report.kind = "error"
                report.problems += self.row_found
        state["kind"] = "error"

    # --- writing -------------------------------------------------------------------------

    def write(self, created, updated, m2m) -> None:
        resource = self.resource
        model = self.model
        manager = model._default_manager
        now = timezone.now()
        for instance, row, _state in created + updated:
            resource.before_save_instance(instance, row, dry_run=False)
            for model_field in instance._meta.concrete_fields:
                if getattr(model_field, "auto_now", False):
                    setattr(instance, model_field.attname, now)  # bulk writes don't stamp it
        if created:
            resource.bulk_create_new(manager, [instance for instance, _, _ in created])
        if updated:
            resource.bulk_update_existing(manager, updated)
        # timestamps the file carries (an updated_at kept from the source) over the stamps
        restore = []
        parents = set()
        for instance, row, _state in created + updated:
            if resource.edits_versioned_parent:
                parents.add(getattr(instance, f"{resource.edits_versioned_parent}_id"))
            values = {
                name: resource.fields[name].clean(row)
                for name in resource.preserved_timestamps
                if row.get(resource.fields[name].column_name) not in (None, "")
            }
            if values:
                for name, value in values.items():
                    setattr(instance, name, value)
                restore.append(instance)
        if restore:
            names = sorted(resource.preserved_timestamps)
            manager.bulk_update(restore, names, batch_size=2000)
        if m2m:
            self.write_m2m(m2m)
        resource.after_chunk_written(created, updated)
        if parents:  # a line imported is an edit of its order: open pages of it go stale
            parent = model._meta.get_field(resource.edits_versioned_parent).related_model
            parent._default_manager.filter(one_of("pk", parents)).update(edit_version=EDIT_BUMP)

    def write_m2m(self, m2m) -> None:
        """Tags: the links the file adds in one insert, the ones it drops in one delete."""
        from backoffice.figures import touched

        for field_ in self.m2m_fields:
            relation = self.model._meta.get_field(field_.attribute)
            through = relation.remote_field.through
            source = relation.m2m_field_name()
            target = relation.m2m_reverse_field_name()
            wanted = {}
            for instance, state in m2m:
                tags = (state.get("m2m_after") or {}).get(field_.column_name)
                if tags is not None:
                    wanted[instance.pk] = {obj.pk for obj in tags}
            if not wanted:
                continue
            current: dict[int, set] = {pk: set() for pk in wanted}
            for owner, tag in through.objects.filter(one_of(f"{source}_id", wanted)).values_list(
                f"{source}_id", f"{target}_id"
            ):
                current[owner].add(tag)
            drop = [(o, t) for o, tags in current.items() for t in tags - wanted[o]]
            add = [
                through(**{f"{source}_id": o, f"{target}_id": t})
                for o, tags in wanted.items()
                for t in tags - current[o]
            ]
            for owner in {o for o, _ in drop}:
                through.objects.filter(
                    **{
                        f"{source}_id": owner,
                        f"{target}_id__in": [t for o, t in drop if o == owner],
                    }
                ).delete()
            through.objects.bulk_create(add, batch_size=2000)
            if self.model._meta.label == "backoffice.Product":
                touched(products=[o for o, tags in wanted.items() if tags != current[o]])


@dataclass
class _UniqueRule:
    """A unique field or an unconditional unique constraint, checked a chunk at a time."""

    name: str
    model: type
    fields: tuple[str, ...]
    attnames: tuple[str, ...]
    message: str

    def taken(self, values: set) -> dict:
        """The objects holding these values: value tuple -> id."""
        manager = self.model._base_manager
        firsts = sorted({v[0] for v in values}, key=str)
        found = {}
        for start in range(0, len(firsts), 5000):
            rows = manager.filter(
                one_of(self.attnames[0], firsts[start : start + 5000])
            ).values_list("pk", *self.attnames)
            for pk, *held in rows:
                if tuple(held) in values:
                    found[tuple(held)] = pk
        return found


def _unique_checks(model, headers, resource) -> list[_UniqueRule]:
    """The unique rules a file's columns can break."""
    from django.db.models import UniqueConstraint

    columns = set(headers)

    def in_file(name):
        return any(
            f.attribute == name and resource._present(f, columns) for f in resource.fields.values()
        )

    rules = []
    opts = model._meta
    for model_field in opts.concrete_fields:
        if model_field.unique and not model_field.primary_key and in_file(model_field.name):
            message = model_field.error_messages["unique"] % {
                "model_name": str(opts.verbose_name).capitalize(),
                "field_label": str(model_field.verbose_name).capitalize(),
            }
            rules.append(
                _UniqueRule(
                    model_field.name,
                    model,
                    (model_field.name,),
                    (model_field.attname,),
                    message,
                )
            )
    for constraint in opts.constraints:
        if (
            isinstance(constraint, UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
            and not constraint.expressions
            and all(in_file(name) for name in constraint.fields)
        ):
            attnames = tuple(opts.get_field(name).attname for name in constraint.fields)
            rules.append(
                _UniqueRule(
                    constraint.name,
                    model,
                    tuple(constraint.fields),
                    attnames,
                    str(constraint.get_violation_error_message()),
                )
            )
    return rules


def _move_sequence_past_ids(model) -> None:
    """Ids from the file are kept: the next row the admin creates gets the next free id
    (what the library's ``after_import`` does after a per-row import)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _lock(model, ids) -> None:
    """The chunk's existing rows, locked in id order until the import commits (a staff edit
    of one of them waits for the import, and then sees what it wrote)."""
    list(
        model._base_manager.select_for_update()
        .filter(one_of("pk", sorted(ids)))
        .order_by("pk")
        .values_list("pk")
    )

"""The behaviour every back-office resource shares (``backoffice.resources`` maps the columns).

What the library leaves open, and what this base class does about it:

* model validation runs for every row (``clean_model_instances``) and blank cells never
  silently become a field's default (a blank stock cell would otherwise reset stock to 0);
* a row finds its object by its external reference (``leading_key_fields``: the source
  system's id, when an object has it), else by ``id``, else by a natural key (SKU, name,
  username), so importing the same file twice updates instead of duplicating;
* an update saves only the columns the file contains (``save(update_fields=...)``), so an
  import of prices can't overwrite a stock change made meanwhile (no lost updates);
* unknown columns, and rows that repeat an id or key, are refused before anything runs;
* with ``track_changes`` each row result says which columns change, from what to what,
  many-to-many tags included - the preview shows that and the confirm compares it;
* exports render native values (numbers stay numbers) and fetch related rows in bulk;
* an update must obey the same rules as the admin's forms and services: ``update_rules``
  (a resource's own rules, e.g. an order's status and charged total) turns each refusal into
  a row error on the column, naming the rule; it sees the values the object had before the
  row was applied (``stored``). The import's user and ``ImportRecord`` (``import_data``'s
  ``user`` / ``import_record`` keywords) are at hand for the writes that must be logged.
"""

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import NOT_PROVIDED
from django.utils.translation import ngettext
from import_export import resources, widgets

from backoffice.importing import widgets as strict
from backoffice.importing.keys import ReadableKeyField, _is_id
from backoffice.models.base import EditVersioned
from backoffice.services.edits import EDIT_BUMP

WIDGET_BY_TYPE = {
    "DecimalField": strict.StrictDecimalWidget,
    "FloatField": strict.StrictFloatWidget,
    "BooleanField": strict.StrictBooleanWidget,
    "DateField": strict.StrictDateWidget,
    "DateTimeField": strict.IsoDateTimeWidget,
    **dict.fromkeys(
        [
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
        ],
        strict.StrictIntegerWidget,
    ),
}


#: how a preview shows a new row's blank timestamp, which the save fills in
STAMPED_AT_IMPORT = "(the time of the import)"

#: a preloaded key lookup that wasn't preloaded for this column (ask the database)
NOT_LOADED = object()


class BackofficeResource(resources.ModelResource):
    """Shared behaviour: ids kept, model validation on every row, unchanged rows skipped."""

    #: auto_now fields whose imported value is written back after the save (history kept).
    preserved_timestamps: tuple[str, ...] = ()
    #: columns that identify a row's own object when its ``id`` cell is absent or blank.
    natural_id_fields: tuple[str, ...] = ()
    #: columns that identify a row's object before its ``id`` does (an external reference):
    #: a row whose cell names an existing object is that object; otherwise the id, then the
    #: natural key, decide (docs/import-export.md, "How a row finds its object").
    leading_key_fields: tuple[str, ...] = ()
    #: related rows fetched with the exported objects (``select_related`` / ``prefetch``).
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()
    #: the foreign key to an ``EditVersioned`` row that an import of this row edits (an order
    #: line edits its order): open pages of it become stale (docs/editing.md).
    edits_versioned_parent: str | None = None

    class Meta:
        # A list, not a tuple: the library skips its own "id column present" check exactly
        # when this equals ["id"]; ``check_headers`` does that check, naming the columns.
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, *, track_changes: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.track_changes = track_changes
        self._row_state: dict = {}
        self._import_fields = None
        self._importable = None
        self._update_fields_by_columns: dict = {}
        self._edited_parents: set = set()
        self.import_user = None
        self.import_record = None
        self.import_file_name = ""
        self.import_notes: list[str] = []

    # --- fields --------------------------------------------------------------------------

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        widget = WIDGET_BY_TYPE.get(f.get_internal_type())
        if widget is None:
            return super().widget_from_django_field(f, default)
        return widget

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        widget = WIDGET_BY_TYPE.get(django_field.get_internal_type())
        if widget is not None:
            # blank is fine where the database or Django fills the value (ids, auto_now)
            kwargs["allow_empty"] = (
                django_field.null
                or django_field.primary_key
                or getattr(django_field, "auto_now", False)
                or getattr(django_field, "auto_now_add", False)
                or cls._is_stamped(django_field)
            )
            if widget is strict.StrictDecimalWidget:
                kwargs["decimal_places"] = django_field.decimal_places
        return kwargs

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        # The library fills blank cells with the model default: a blank "stock_quantity" cell
        # would reset stock to 0 on an update. Blank stays blank; validation then speaks.
        field.default = NOT_PROVIDED
        if getattr(django_field, "auto_now", False):
            field.saves_null_values = False  # blank updated_at: the save stamps it
        if cls._is_stamped(django_field):
            # A blank created_at (or order date) keeps the stored value on an update and takes
            # the field's default (now) on a new row, as the add page does.
            field.saves_null_values = False
        return field

    @staticmethod
    def _is_stamped(django_field) -> bool:
        """A required timestamp its model fills itself (``default=timezone.now``)."""
        return (
            django_field.get_internal_type() == "DateTimeField"
            and not django_field.null
            and django_field.has_default()
        )

    def get_import_fields(self):
        # Asked several times per row by the library and by us; the fields don't change
        # during an import, so compute the list once per resource instance.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def importable_fields(self):
        if self._importable is None:
            self._importable = [f for f in self.get_import_fields() if not f.readonly]
        return self._importable

    def get_user_visible_fields(self):
        return self.importable_fields()

    def column_for_attribute(self, attribute: str) -> str:
        """The file's column for a model attribute (error messages name columns; ids first)."""
        candidates = [f for f in self.fields.values() if f.attribute == attribute]
        candidates.sort(key=lambda f: getattr(f, "role", "id") != "id")
        return candidates[0].column_name if candidates else attribute

    # --- file checks ---------------------------------------------------------------------

    #: columns a file may have beyond the ones the import knows (each is then named as unknown)
    column_margin = 20

    def max_columns(self, also_known=frozenset()) -> int:
        """The widest header line worth reading: the formats refuse a wider file before its
        rows (a small file of 40,000 columns would otherwise cost minutes of CPU)."""
        known = {f.column_name for f in self.fields.values()} | set(also_known)
        return len(known) + self.column_margin

    def check_headers(self, headers, also_known=frozenset()) -> list[str]:
        """Problems with the header line, as sentences; empty when the file can be imported.

        ``also_known``: columns to accept and ignore (figures that other exports write).
        """
        known = {f.column_name for f in self.fields.values()} | set(also_known)
        unknown = [h for h in headers if h not in known]
        if not unknown:
            return self._check_identity_columns(headers)
        understood = ", ".join(f.column_name for f in self.importable_fields())
        problem = (
            ngettext("Unknown column: ", "Unknown columns: ", len(unknown))
            + ", ".join(repr(h) for h in unknown)
            + f". This import understands: {understood}."
        )
        if len(unknown) == len(headers) and headers:
            problem += " Is the first line the column names, and is this the right page?"
        return [problem]

    def _check_identity_columns(self, headers) -> list[str]:
        needed = [self.fields[name] for name in self.get_import_id_fields()]
        if needed == [self.fields.get("id")]:
            return []  # without ids (or natural keys) every row is new
        missing = [f.column_name for f in needed if not self._present(f, headers)]
        if missing:
            columns = ngettext("the column", "the columns", len(missing))
            return [f"The file needs {columns} {', '.join(missing)} to match rows."]
        return []

    def check_duplicates(self, dataset) -> list[str]:
        """Rows that would import the same object twice (same id or natural key)."""
        seen: dict = {}
        problems = []
        for number, values in enumerate(dataset, 1):
            row = dict(zip(dataset.headers, values, strict=True))
            key = self._row_identity(row)
            if key is None:
                continue
            if key in seen:
                problems.append(
                    f"Line {number + 1} repeats line {seen[key] + 1} ({_describe(key)}); "
                    "each object may appear once per file."
                )
            else:
                seen[key] = number
        return problems

    def _row_identity(self, row):
        for column in self.leading_key_fields:
            if str(row.get(column) or "").strip():
                return ((column, str(row[column]).strip()),)
        id_fields = [self.fields[name] for name in self.get_import_id_fields()]
        values = []
        for field in id_fields:
            if isinstance(field, ReadableKeyField):
                value = row.get(field.id_column) or row.get(field.key_column)
            else:
                value = row.get(field.column_name)
            values.append(None if value in (None, "") else str(value).strip())
        if all(v is not None for v in values):
            return tuple(zip((f.column_name for f in id_fields), values, strict=True))
        for column in self.natural_id_fields:
            if row.get(column) not in (None, ""):
                return ((column, str(row[column]).strip()),)
        return None

    @staticmethod
    def _present(field, row_or_headers) -> bool:
        if isinstance(field, ReadableKeyField):
            return field.present_in(row_or_headers)
        return field.column_name in row_or_headers

    # --- finding and saving objects ------------------------------------------------------

    def get_instance(self, instance_loader, row):
        leading = self._by_leading_key(row, instance_loader)
        if leading is not None:
            return leading
        identity = self._row_identity(
            {k: v for k, v in row.items() if k not in self.leading_key_fields}
        )
        if identity is None:
            return None  # nothing identifies the row: it is new
        column = identity[0][0]
        if column in {self.fields[name].column_name for name in self.get_import_id_fields()}:
            return instance_loader.get_instance(row)
        field = next(f for f in self.fields.values() if f.column_name == column)
        natural = getattr(instance_loader, "natural", None)  # the chunked engine's, preloaded
        if natural is not None:
            found = natural(column, identity[0][1])
            if found is not NOT_LOADED:
                return found
        return self.get_queryset().filter(**{field.attribute: field.clean(row)}).first()

    def _by_leading_key(self, row, instance_loader=None):
        """The object a leading key (external reference) cell names, if one has it. A row
        whose id names another object is refused: the two columns disagree."""
        for column in self.leading_key_fields:
            value = str(row.get(column) or "").strip()
            if not value:
                continue
            field = next(f for f in self.fields.values() if f.column_name == column)
            natural = getattr(instance_loader, "natural", None)  # the chunked engine's
            found = natural(column, value) if natural is not None else NOT_LOADED
            if found is NOT_LOADED:
                found = self.get_queryset().filter(**{field.attribute: value}).first()
            if found is None:
                continue
            raw_id = row.get("id")
            row_id = str(raw_id if raw_id is not None else "").strip()
            if row_id and not (_is_id(raw_id) and int(float(raw_id)) == found.pk):
                raise ValueError(
                    f"{column} {value!r} is {found._meta.verbose_name} #{found.pk}, but the "
                    f"row's id is {row_id}. Correct one of the two columns or empty the id."
                )
            return found
        return None

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        for field in self._m2m_fields():
            if hasattr(field.widget, "forget"):
                field.widget.forget()
        self._add_blank_id_columns(dataset)
        user = kwargs.get("user")
        self.import_user = user if getattr(user, "pk", None) else None
        self.import_record = kwargs.get("import_record")
        self.import_file_name = kwargs.get("file_name") or ""
        self.import_notes = []  # sentences for the preview about the file as a whole

    def _add_blank_id_columns(self, dataset) -> None:
        """Our files may match rows by a readable key instead of an id (``check_headers`` has
        made sure one of the two is there); the library, after this hook, refuses a file
        without the ``import_id_fields`` columns. Give it each missing one, blank, so the key
        is what matches."""
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in dataset.headers and self._present(field, dataset.headers):
                dataset.append_col([""] * len(dataset), header=field.column_name)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._row_state = {"new": new}

    def import_instance(self, instance, row, **kwargs):
        new = self._row_state.get("new", instance.pk is None)
        if not new:
            # what the object holds before the row is applied (update_rules compare with it)
            self._row_state["stored"] = {
                f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            }
        m2m_fields = [f for f in self._m2m_fields() if f.column_name in row]
        before = {} if new or not self.track_changes else self._snapshot(instance, row)
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        m2m_after = {}
        for field in m2m_fields:
            # The library only reads many-to-many cells after saving: a bad tag would then be
            # a database-level error. Read them now, as part of the row's validation.
            try:
                m2m_after[field.column_name] = field.clean(row)
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
        self._row_state.update(
            instance=instance,
            before=before,
            m2m_after=m2m_after,
            update_fields=self._update_fields(instance, row),
        )
        if errors:
            raise ValidationError(errors)

    def _m2m_fields(self):
        return [
            f for f in self.importable_fields() if isinstance(f.widget, widgets.ManyToManyWidget)
        ]

    def _update_fields(self, instance, row) -> list[str]:
        """Model fields that the row's columns set, plus ``auto_now`` ones (updated_at)."""
        columns = tuple(row)  # every row of a file has the same columns: compute once
        cached = self._update_fields_by_columns.get(columns)
        if cached is not None:
            return cached
        concrete = {f.name for f in instance._meta.concrete_fields if not f.primary_key}
        names = {
            f.attribute
            for f in self.importable_fields()
            if f.attribute in concrete and self._present(f, row)
        }
        names |= {f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
        if isinstance(instance, EditVersioned):
            names.add("edit_version")  # an import is an edit: pages open on the row go stale
        self._update_fields_by_columns[columns] = sorted(names)
        return self._update_fields_by_columns[columns]

    #: run unique and constraint checks per row (bulk mode leaves them to the database)
    validate_in_database = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """``full_clean`` in its steps (as Django runs them), minus one query per foreign key:
        a key that a readable-key column resolved was just read from the database, so its
        field isn't asked to check that it exists. Uniqueness and constraints still see it."""
        errors = dict(import_validation_errors or {})
        if not self._meta.clean_model_instances:
            if errors:
                raise ValidationError(errors)
            return
        resolved = {
            f.attribute
            for f in self.fields.values()
            if isinstance(f, ReadableKeyField)
            and getattr(instance, instance._meta.get_field(f.attribute).attname) is not None
        }
        exclude = set(errors)
        steps = [lambda: instance.clean_fields(exclude=exclude | resolved), instance.clean]
        if self.validate_in_database:
            if validate_unique:
                steps.append(lambda: instance.validate_unique(exclude=exclude))
            steps.append(lambda: instance.validate_constraints(exclude=exclude))
        for step in steps:
            try:
                step()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
                exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        for attribute, message in self.row_rules(instance, self._row_state.get("stored")):
            errors.setdefault(attribute, []).append(message)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if isinstance(instance, EditVersioned) and not instance._state.adding:
            instance.edit_version = EDIT_BUMP  # never a column of the file (not a resource field)

    def row_rules(self, instance, stored: dict | None):
        """(attribute, message) for each rule of the admin that this row would break.

        ``stored``: the object's values before the row (None for a new object). Runs only for
        rows that change something (unchanged rows are skipped first), in per-row and bulk
        mode alike. The message names the rule and where to do the change instead.
        """
        return []

    # --- the chunked engine's hooks (backoffice.importing.chunked) -------------------------

    def before_chunk(self, dataset, **kwargs):
        """Read what the chunk's rules need, in a few queries (``before_import`` ran once, on
        the first chunk: its dataset is not the whole file)."""

    def chunk_read(self, created, updated):
        """The chunk's rows that will be new or updated (``(instance, row, state)``), on
        preview and apply alike: a resource sums up what its preview should say."""

    def bulk_create_new(self, manager, objects):
        manager.bulk_create(objects, batch_size=2000)

    def bulk_update_existing(self, manager, updated):
        names = [n for n in updated[0][2].get("update_fields") or () if n != "id"]
        if names:
            manager.bulk_update([instance for instance, _, _ in updated], names, batch_size=1000)

    def after_chunk_written(self, created, updated):
        """The chunk's rows are written: the writes that follow them (ledger rows)."""

    def after_chunks(self, outcome, dry_run: bool):
        """Every row was read (and on apply written): notes about the file as a whole."""

    def do_instance_save(self, instance, is_create):
        if is_create:
            instance.save(force_insert=True)
        else:
            instance.save(update_fields=self._row_state.get("update_fields"))

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if self.edits_versioned_parent:
            self._edited_parents.add(getattr(instance, f"{self.edits_versioned_parent}_id"))
        restored = {}
        for name in self.preserved_timestamps:
            field = self.fields.get(name)
            if field is not None and field.column_name in row and row[field.column_name]:
                restored[name] = field.clean(row)
        if restored and not self._meta.use_bulk:
            type(instance)._default_manager.filter(pk=instance.pk).update(**restored)
        for name, value in restored.items():
            setattr(instance, name, value)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self._edited_parents:  # one UPDATE for every parent the file's rows edited
            parent = self._meta.model._meta.get_field(self.edits_versioned_parent).related_model
            parent._default_manager.filter(pk__in=self._edited_parents).update(
                edit_version=EDIT_BUMP
            )
            self._edited_parents = set()

    # told of every row done (a job's ``Reporter``: its progress bar and cancel button)
    progress = None

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if self.progress is not None:
            self.progress.advance()
        instance = self._row_state.get("instance")
        if self.track_changes and instance is not None:
            after = self._snapshot(instance, row, self._row_state.get("m2m_after"))
            row_result.before = self._row_state.get("before", {})
            row_result.after = after

    def _snapshot(self, instance, row, m2m_values=None) -> dict[str, str]:
        """The row's columns as they read on ``instance`` (tags from ``m2m_values`` if given)."""
        values = {}
        pk_name = instance._meta.pk.name
        for field in self.importable_fields():
            if not self._present_column(field, row) or field.attribute == pk_name:
                continue  # the id identifies the row; it is not one of its changes
            if m2m_values is not None and field.column_name in m2m_values:
                value = ", ".join(sorted(tag.name for tag in m2m_values[field.column_name]))
            elif self._stamped_at_import(instance, field, row):
                # the clock's value differs between preview and confirm: name it, don't show it
                value = STAMPED_AT_IMPORT
            else:
                value = self.export_field(field, instance)
            values[field.column_name] = "" if value is None else str(value)
        return values

    def _stamped_at_import(self, instance, field, row) -> bool:
        """A new row's blank timestamp, which the save fills with its default (now)."""
        if not self._row_state.get("new") or row.get(field.column_name) not in (None, ""):
            return False
        try:
            django_field = instance._meta.get_field(field.attribute)
        except FieldDoesNotExist:  # not a model field (a readable key, a figure)
            return False
        return self._is_stamped(django_field)

    @staticmethod
    def _present_column(field, row) -> bool:
        return field.column_name in row

    # --- export --------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset


def row_error(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def _describe(key) -> str:
    return ", ".join(f"{column} {value}" for column, value in key)

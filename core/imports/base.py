"""What every import kind shares: the parsed row, the import context (who imports, lookups loaded
once), and turning a service's refusal into row errors.

Who may write which row is not decided here: each kind writes through its app's services with
`by` = the importing user, and the app's access policy refuses a row (a township other than the
user's, a step that is the guidance center's) as it refuses the API or a page, in the same words."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import AccessDenied, ApplicationError
from core.imports.columns import CellError, Column
from core.imports.reader import RawRow, RowError
from core.models import Role
from core.scoping import township_model, user_role

IMPORT_ROLES = frozenset({Role.TOWNSHIP_LEAD, Role.GUIDANCE_CENTER})

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
ACTION_LABELS = {
    CREATE: gettext_lazy("新增"),
    UPDATE: gettext_lazy("更新"),
    UNCHANGED: gettext_lazy("无变化"),
    ERROR: gettext_lazy("错误"),
}


def can_import(user) -> bool:
    """Township leads (their own township) and the guidance center (any) import; nobody else."""
    return user_role(user) in IMPORT_ROLES


class ImportRefusal(Exception):  # noqa: N818 - reads as what happened
    """An import rule refused the row (a rule about files, not about the county's process)."""

    def __init__(self, message: str, *, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.column = column


# What refuses a row. Other database errors (a lost connection) are not a row's fault: they end the run.
REFUSALS = (
    ImportRefusal,
    ApplicationError,
    AccessDenied,
    ValidationError,
    IntegrityError,
    DataError,
    ObjectDoesNotExist,
)


@contextmanager
def refusal_column(column: str) -> Iterator[None]:
    """Attribute a refusal raised inside to `column` (services do not name columns)."""
    try:
        yield
    except (ApplicationError, AccessDenied, ValidationError) as exc:
        exc.import_column = column
        raise


@dataclass
class Change:
    column: str
    old: str
    new: str


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    action: str | None = None
    label: str = ""
    changes: list[Change] = field(default_factory=list)
    # Lookups resolved for this row (township, premises, brigade, ...).
    refs: dict[str, Any] = field(default_factory=dict)

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def errors_for(self, column: str) -> list[RowError]:
        return [e for e in self.errors if e.column == column]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def outcome(self) -> str:
        return ERROR if self.errors else (self.action or UNCHANGED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "action": self.outcome,
            "label": self.label,
            "changes": [[c.column, c.old, c.new] for c in self.changes],
            "errors": [e.as_dict() for e in self.errors],
        }


class ImportContext:
    """Who imports (`by`, passed to every service) and the township lookups shared by every kind.

    user None means an operator at the server console (management command without --user): the
    system, whom no access rule limits; history records no user.
    """

    def __init__(self, *, user=None):
        self.user = user
        self.by = user
        # Township names are unique within a county only: a name two counties share is read as
        # the user's own county's township.
        self.county_id: int | None = None
        if user is not None and not getattr(user, "is_superuser", False):
            profile = getattr(user, "profile", None)
            if profile is not None and profile.role == Role.TOWNSHIP_LEAD:
                self.county_id = profile.township.county_id
            elif profile is not None:
                self.county_id = profile.county_id
        self.townships_by_name: dict[str, list] = defaultdict(list)
        for township in township_model().objects.all():
            self.townships_by_name[norm(township.name)].append(township)
        self.cache: dict[str, Any] = {}

    def township(self, row: ParsedRow, header: str = "乡镇", key: str = "township"):
        """The row's township by name; errors for unknown or ambiguous names. Whether the user may
        write there is the services' to say (the app's access policy), when the row is written."""
        name = row.values.get(key)
        if not name:
            return None
        found = self.townships_by_name.get(norm(name), [])
        if not found:
            row.error(header, _("未知乡镇“%(name)s”，请填写系统中的乡镇（街道办）全称") % {"name": name})
            return None
        if len(found) > 1 and self.county_id is not None:
            found = [t for t in found if t.county_id == self.county_id] or found
        if len(found) > 1:
            row.error(
                header,
                _("乡镇名称“%(name)s”在多个县重名，无法确定是哪一个，请联系指导中心导入") % {"name": name},
            )
            return None
        return found[0]

    def township_ids(self, rows: Iterable[ParsedRow]) -> set[int]:
        return {r.refs["township"].pk for r in rows if r.refs.get("township") is not None}


class ImportKind:
    """One importable kind: its sheet, its columns, and how a row is matched and written."""

    name: ClassVar[str]
    # What users read (translated); `sheet` and the columns' headers are the file format (Chinese).
    label: ClassVar[str | Promise]
    # The model a kind writes and exports, and its lookup to a township (what the user may export).
    model: ClassVar[type[models.Model]]
    township_field: ClassVar[str]
    sheet: ClassVar[str]
    columns: ClassVar[list[Column]]
    match_rule: ClassVar[str | Promise]
    # The columns that identify a row's record (identity), and those its values may change
    # (desired / record_changes).
    match_keys: ClassVar[tuple[str, ...]] = ()
    updated_keys: ClassVar[tuple[str, ...]] = ()
    notes: ClassVar[list[str | Promise]] = []
    # The column a refusal belongs to when nothing more precise is known.
    default_column: ClassVar[str | None] = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def header(self, key: str) -> str:
        return self.column(key).header

    # --- parsing ------------------------------------------------------------------------------

    def parse(self, raw: RawRow) -> ParsedRow:
        row = ParsedRow(number=raw.number, values={})
        for column in self.columns:
            value, data_type = raw.cells.get(column.header, (None, "n"))
            if data_type == "f":
                row.error(
                    column.header,
                    _("单元格是公式（%(formula)s），请改为直接填写数值（复制后“选择性粘贴 → 数值”）")
                    % {"formula": str(value)[:40]},
                )
                row.values[column.key] = None
                continue
            if data_type == "e":
                row.error(column.header, _("单元格是错误值（%(value)s），请改正") % {"value": value})
                row.values[column.key] = None
                continue
            try:
                parsed = column.parse(value)
            except CellError as exc:
                row.error(column.header, str(exc))
                parsed = None
            row.values[column.key] = parsed
            if column.required and (parsed is None or parsed == "") and not row.errors_for(column.header):
                row.error(column.header, _("必填，不能为空"))
        self.check_row(row)
        return row

    def check_row(self, row: ParsedRow) -> None:
        """Checks across columns of one row (e.g. a hazard needs its deadline). Default: none."""

    def resolve(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        """Find the township, premises, brigade, ... each row names; load what rows may update."""
        raise NotImplementedError

    def key(self, row: ParsedRow) -> tuple | None:
        """What makes a row a duplicate of an earlier one in the same file (None: cannot tell)."""
        raise NotImplementedError

    key_description: ClassVar[str | Promise] = ""
    # The column a duplicate row is reported on (defaults to default_column).
    key_column: ClassVar[str | None] = None

    def desired(self, row: ParsedRow) -> dict[str, Any]:
        """What the row says the `updated_keys` of its record should be."""
        return {key: row.values[key] for key in self.updated_keys}

    def record_changes(self, row: ParsedRow, instance: models.Model, desired: dict[str, Any]) -> dict:
        """Record on `row` what `desired` changes on `instance`; return the changed keys and values."""
        return set_changes(row, self, {key: getattr(instance, key) for key in desired}, desired)

    def identity(self, row: ParsedRow) -> dict[str, Any]:
        """The row's `match_keys`, as its record is created with them (a reference resolved in
        row.refs, such as the township, instead of its name)."""
        return {key: row.refs[key] if key in row.refs else row.values[key] for key in self.match_keys}

    def create_or_update(
        self,
        ctx: ImportContext,
        row: ParsedRow,
        *,
        record: str,
        create: Callable[..., models.Model],
        update: Callable[..., object],
    ) -> models.Model:
        """Write the row's record through its services. `record` names both the record the row
        matched in row.refs (None: no match) and the update service's argument. No match:
        `create(**identity, **desired, by)`; else `update(<record>=matched, data=changed, by)` with the
        desired values that differ, recorded on the row (no call when none do). Sets row.action;
        returns the created record or the matched one."""
        matched = row.refs[record]
        desired = self.desired(row)
        if matched is None:
            created = create(**self.identity(row), **desired, by=ctx.by)
            row.action = CREATE
            return created
        changed = self.record_changes(row, matched, desired)
        if changed:
            update(**{record: matched}, data=changed, by=ctx.by)
        row.action = UPDATE if changed else UNCHANGED
        return matched

    def units(self, ctx: ImportContext, rows: list[ParsedRow]) -> list[list[ParsedRow]]:
        """Rows written together in one savepoint. Default: each row alone."""
        return [[row] for row in rows]

    def apply(self, ctx: ImportContext, unit: list[ParsedRow]) -> None:
        """Write one unit through the services; set each row's action, label and changes.

        Raise a refusal (ImportRefusal, ApplicationError, ValidationError) to fail the unit.
        """
        raise NotImplementedError

    # --- in bulk (optional) -------------------------------------------------------------------
    # A kind whose services can check a row without writing it, against lookups loaded once
    # (in resolve), defines prepare_bulk and apply_bulk; the runner then checks every row first and
    # writes them all at once, instead of writing unit by unit. Its `apply`, if any, is the way
    # back to rows written one by one when the database refuses the bulk write.

    # Rows given to one prepare_bulk call (progress is reported between calls).
    bulk_batch: ClassVar[int] = 1000

    @property
    def bulk(self) -> bool:
        return type(self).apply_bulk is not ImportKind.apply_bulk

    @property
    def per_row(self) -> bool:
        return type(self).apply is not ImportKind.apply

    def prepare_bulk(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        """Apply every rule of the services to `rows` (none has an error yet) without writing: set
        each row's action, label and changes, or its errors (`refuse`). Called in order, a batch of
        rows at a time, inside the import's transaction."""
        raise NotImplementedError

    def apply_bulk(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        """Write every row prepare_bulk accepted, through the services' bulk writes. Called once,
        only when no row of the file has an error and the import is not a preview. A refusal
        raised here (the database's, for a write since the lookups were loaded) undoes it all."""
        raise NotImplementedError

    def refuse(self, row: ParsedRow, exc: Exception) -> None:
        """Record a refusal raised while writing (or checking) `row` as its errors."""
        row.action, row.changes = None, []
        for column, message in self.refusal_errors(exc):
            row.error(column, message)

    # --- export -------------------------------------------------------------------------------

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset

    def export_values(self, record: models.Model) -> dict[str, Any]:
        """The cells of the columns that are not `record`'s attribute of the same name. Default: none."""
        return {}

    def export_rows(self, queryset: models.QuerySet) -> Iterator[dict[str, Any]]:
        """Each record's cells by column key, as the import reads them back: the record's attribute
        named as the column (a related record by its name), unless export_values gives the cell."""
        for record in self.export_queryset(queryset):
            values = self.export_values(record)
            cells = {
                column.key: _exported(getattr(record, column.key))
                for column in self.columns
                if column.key not in values
            }
            yield cells | values

    # --- refusals -----------------------------------------------------------------------------

    def column_for_field(self, field_name: str) -> str | None:
        for column in self.columns:
            if field_name == column.key:
                return column.header
        return None

    def guess_column(self, message: str) -> str | None:
        """The column a service's message talks about: the header (or its unit-less form, or in
        English its meaning) that appears earliest in the message, the longer one on a tie; else the
        kind's default."""
        best: tuple[int, int] | None = None
        found = None
        folded = message.casefold()
        for column in self.columns:
            names = {column.header, column.short_header, _(column.header), _(column.short_header)}
            for name in names:
                position = folded.find(name.casefold())
                if position >= 0 and (best is None or (position, -len(name)) < best):
                    best, found = (position, -len(name)), column.header
        return found or self.default_column

    def refusal_errors(self, exc: Exception) -> list[tuple[str | None, str]]:
        """(column, message) pairs for a refusal raised while writing a row."""
        if isinstance(exc, ImportRefusal):
            return [(exc.column, exc.message)]
        if isinstance(exc, AccessDenied):  # the app's access policy, as every other door says it
            message = str(exc.message)
            return [(getattr(exc, "import_column", None) or self.guess_column(message), message)]
        if isinstance(exc, ApplicationError):
            message = str(exc.message)
            return [(getattr(exc, "import_column", None) or self.guess_column(message), message)]
        if isinstance(exc, ValidationError):
            if getattr(exc, "import_column", None):
                return [(exc.import_column, "；".join(exc.messages))]
            if hasattr(exc, "error_dict"):
                pairs = []
                for field_name, messages in exc.message_dict.items():
                    text = "；".join(messages)
                    column = None if field_name == NON_FIELD_ERRORS else self.column_for_field(field_name)
                    pairs.append((column or self.guess_column(text), text))
                return pairs
            text = "；".join(exc.messages)
            return [(self.guess_column(text), text)]
        if isinstance(exc, IntegrityError):
            constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
            if constraint:
                return [
                    (
                        None,
                        _("数据库拒绝写入这一行，可能与已有数据冲突（约束 %(constraint)s）")
                        % {"constraint": constraint},
                    )
                ]
            return [(None, _("数据库拒绝写入这一行，可能与已有数据冲突"))]
        if isinstance(exc, ObjectDoesNotExist):
            return [(None, _("要更新的记录已被删除，请重新导入"))]
        return [(None, _("数据库拒绝写入这一行：%(error)s") % {"error": exc.__class__.__name__})]


def set_changes(row: ParsedRow, kind: ImportKind, current: dict[str, Any], desired: dict[str, Any]) -> dict:
    """Record on `row` what differs between `current` and `desired` (by key); return the changed keys."""
    changed = {}
    for key, new in desired.items():
        old = current.get(key)
        if _comparable(old) != _comparable(new):
            changed[key] = new
            column = kind.column(key)
            row.changes.append(Change(column.header, _display(column, old), _display(column, new)))
    return changed


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return (value.__class__, value.pk)
    if value == "":
        return None
    return value


def _exported(value: Any) -> Any:
    return value.name if isinstance(value, models.Model) else value


def _display(column: Column, value: Any) -> str:
    if isinstance(value, models.Model):
        return str(getattr(value, "name", value))
    return column.display(value)


_WHITESPACE = re.compile(r"\s+")


def norm(text: str | None) -> str:
    """A name as compared for matching: trimmed, inner runs of spaces collapsed."""
    return _WHITESPACE.sub(" ", text or "").strip()

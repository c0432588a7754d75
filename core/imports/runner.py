"""Run one file through a kind: parse, resolve, refuse duplicates, then write, all inside one
transaction that is committed only when it is not a dry run and no row failed. Nothing is written
otherwise.

Writing is row by row or in bulk, as the kind offers. Row by row: every unit through the services
in a savepoint of its own, a refused unit rolled back alone so that every bad row is found. In bulk
(ImportKind.prepare_bulk / apply_bulk): every row checked first by the services' rules against
lookups loaded once, then, only if none failed and it is not a preview, all written at once."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.imports.base import (
    ACTION_LABELS,
    CREATE,
    ERROR,
    REFUSALS,
    UNCHANGED,
    UPDATE,
    ImportContext,
    ImportKind,
    ParsedRow,
    can_import,
)
from core.imports.reader import FileRefused, RowError, read_sheet
from core.imports.registry import get_kind

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: list[ParsedRow] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.outcome == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [str(error) for error in self.errors]

    def summary(self) -> str:
        """The outcome in one line, in the reader's language."""
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        text = _("新增 %(created)d 条，更新 %(updated)d 条，无变化 %(unchanged)d 条") % counts
        errors = {"errors": len(self.errors)}
        if self.file_errors:
            return _("%(errors)d 个错误，文件未通过检查，未写入任何数据") % errors
        if not self.ok:
            return _("%(errors)d 个错误，未写入任何数据（%(counts)s）") % (errors | {"counts": text})
        return _("%(counts)s（预览，未写入）") % {"counts": text} if self.dry_run else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "counts": {
                CREATE: self.created,
                UPDATE: self.updated,
                UNCHANGED: self.unchanged,
                ERROR: len(self.errors),
            },
            "errors": [error.as_dict() | {"text": str(error)} for error in self.errors],
            "rows": [row.as_dict() for row in self.rows],
        }


def run_import(
    *,
    kind: str,
    fileobj: IO[bytes],
    user=None,
    dry_run: bool = True,
    progress: Progress | None = None,
    before_commit: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import `fileobj` (an .xlsx) as `kind` for `user` (None: an operator, no township limit).

    Preconditions: none — a user who may not import gets a refusal, not an exception. dry_run
    (the preview) always rolls back; otherwise the transaction commits only if every row
    succeeded. `progress(done, total)` is called after each unit (each batch checked, in bulk);
    `before_commit(result)` runs inside the transaction just before it commits (not on rollback).
    """
    spec = get_kind(kind)
    result = ImportResult(kind=kind, dry_run=dry_run)
    if user is not None and not can_import(user):
        result.file_errors.append(
            RowError(None, None, _("您的账号无权导入数据（仅限乡镇消防专干和指导中心）。"))
        )
        return result
    try:
        raw_rows = read_sheet(fileobj, sheet=spec.sheet, headers=spec.headers)
    except FileRefused as exc:
        result.file_errors.extend(exc.errors)
        return result

    rows = [spec.parse(raw) for raw in raw_rows]
    result.rows = rows
    with transaction.atomic():
        ctx = ImportContext(user=user)
        spec.resolve(ctx, rows)
        _refuse_duplicates(spec, rows)
        if spec.bulk:
            _write_in_bulk(spec, ctx, result, dry_run=dry_run, progress=progress)
        else:
            _write_units(spec, ctx, rows, progress=progress)
        if dry_run or not result.ok:
            transaction.set_rollback(True)
        else:
            result.committed = True
            if before_commit is not None:
                before_commit(result)
    return result


def _write_units(
    spec: ImportKind, ctx: ImportContext, rows: list[ParsedRow], *, progress: Progress | None
) -> None:
    total, done = len(rows), 0
    for unit in spec.units(ctx, rows):
        ready = [row for row in unit if row.ok]
        if ready:
            try:
                with transaction.atomic():
                    spec.apply(ctx, ready)
            except REFUSALS as exc:
                for row in ready:
                    spec.refuse(row, exc)
        done += len(unit)
        if progress is not None:
            progress(done, total)


def _write_in_bulk(
    spec: ImportKind, ctx: ImportContext, result: ImportResult, *, dry_run: bool, progress: Progress | None
) -> None:
    rows = result.rows
    total = len(rows)
    for start in range(0, total, spec.bulk_batch):
        batch = rows[start : start + spec.bulk_batch]
        ready = [row for row in batch if row.ok]
        if ready:
            spec.prepare_bulk(ctx, ready)
        if progress is not None:
            progress(start + len(batch), total)
    if dry_run or not result.ok:
        return  # the outcome is known: a preview, or a bad row, writes nothing
    try:
        with transaction.atomic():
            spec.apply_bulk(ctx, rows)
    except REFUSALS as exc:
        # The database refused what the lookups let through: a row written by someone else since.
        if spec.per_row:  # row by row, the services name the row at fault
            for row in rows:
                row.action, row.changes = None, []
            _write_units(spec, ctx, rows, progress=progress)
        else:
            reasons = "；".join(message for _column, message in spec.refusal_errors(exc))
            result.file_errors.append(
                RowError(
                    None, None, _("写入时被数据库拒绝（%(reasons)s），请重新导入。") % {"reasons": reasons}
                )
            )


def _refuse_duplicates(spec, rows: list[ParsedRow]) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        key = spec.key(row)
        if key is None:
            continue
        if key in seen:
            row.error(
                spec.key_column or spec.default_column,
                _("与第 %(row)d 行重复（%(rule)s），同一文件中同一条数据只能出现一次")
                % {"row": seen[key], "rule": spec.key_description},
            )
        else:
            seen[key] = row.number


__all__ = ["ACTION_LABELS", "ImportResult", "run_import"]

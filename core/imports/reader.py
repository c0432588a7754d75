"""Reading an uploaded workbook: size, format, sheet name, headers and row count are checked before
any row is looked at; a refused file raises FileRefused with every reason found.

A workbook is a zip: a small file can unpack to gigabytes (one 400 MB shared string in 410 KB drove
a worker to 8.8 GB). Its members' unpacked sizes are checked before openpyxl parses any of them
(zipfile stops at the size a member declares, so the declared size bounds what is read), and rows
are counted as they are, not as the sheet's `<dimension>` declares them."""

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from core.imports.columns import column_title

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Headers beyond this many columns are not read: a sheet is never that wide, a hostile file may be.
MAX_HEADER_COLUMNS = 60
# Unpacked, a full 5 MB, 20,000-row template is well under these; a hostile file is far over.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
# Excel's own limit for one cell; no column of any template needs a fraction of it.
MAX_CELL_CHARS = 32_767
CORRUPT = gettext_noop("文件已损坏，无法读取。请用 Excel/WPS 打开确认无误后重新保存为 .xlsx 再上传。")


@dataclass(frozen=True)
class RowError:
    """One reason a row (or the file: row None) cannot be imported."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """The error as one line, framed in the reader's language (the message is as it was made)."""
        if self.row is None:
            return self.message
        if self.column:
            return _("行 %(row)d，列 %(column)s：%(message)s") % {
                "row": self.row,
                "column": column_title(self.column),
                "message": self.message,
            }
        return _("行 %(row)d：%(message)s") % {"row": self.row, "message": self.message}

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileRefused(Exception):  # noqa: N818 - reads as what happened: the file was refused
    """The file as a whole cannot be imported; `errors` says why."""

    def __init__(self, *errors: RowError):
        super().__init__("；".join(str(e) for e in errors))
        self.errors = list(errors)


def refuse(message: str, *, row: int | None = None, column: str | None = None) -> FileRefused:
    return FileRefused(RowError(row, column, message))


@dataclass
class RawRow:
    """A non-empty data row: its Excel row number and (value, data_type) for each expected header."""

    number: int
    cells: dict[str, tuple[Any, str]]


def check_upload(*, name: str, size: int | None) -> None:
    """Refuse a file that is not named .xlsx or is larger than MAX_FILE_BYTES, before reading it."""
    if PurePath(name or "").suffix.lower() != ".xlsx":
        raise refuse(
            _(
                "只能导入 .xlsx 格式的 Excel 文件。如果是 .xls、.csv 或 WPS 文件，"
                "请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后再上传。"
            )
        )
    check_size(size)


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_FILE_BYTES:
        raise file_too_large(size)


def file_too_large(size: int) -> FileRefused:
    return refuse(
        _(
            "文件过大（%(size).1f MB），不能超过 %(limit)d MB。"
            "请删去多余的工作表、图片和格式，或把数据拆分为多个文件。"
        )
        % {"size": size / 1024 / 1024, "limit": MAX_FILE_BYTES // 1024 // 1024}
    )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@contextmanager
def _open_sheet(fileobj: IO[bytes], *, sheet: str, count_rows: bool = True) -> Iterator[Any]:
    """The read-only worksheet `sheet` of the workbook in `fileobj`; refuses what cannot be read.
    With `count_rows`, its rows are read to the last one, whatever its `<dimension>` declares."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0, 2)
        check_size(fileobj.tell())
        fileobj.seek(0)
    if not zipfile.is_zipfile(fileobj):
        raise refuse(
            _(
                "文件不是有效的 .xlsx 格式（Excel 2007 及以上的工作簿）。如果是 .xls 或 .csv 文件，"
                "请在 Excel/WPS 中“另存为”.xlsx 后再上传。"
            )
        )
    fileobj.seek(0)
    check_unpacked_size(fileobj)
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except Exception:  # any failure to parse the package means a corrupt file
        raise refuse(_(CORRUPT)) from None
    try:
        if sheet not in workbook.sheetnames:
            found = "、".join(f"“{name}”" for name in workbook.sheetnames) or _("无")
            raise refuse(
                _(
                    "找不到名为“%(sheet)s”的工作表（本文件的工作表：%(found)s）。"
                    "请使用“%(sheet)s”导入模板，不要修改工作表名称。"
                )
                % {"sheet": sheet, "found": found}
            )
        worksheet = workbook[sheet]
        if count_rows:
            # The declared <dimension> may under-state the rows (then read short) or be missing.
            worksheet.reset_dimensions()
        yield worksheet
    except FileRefused:
        raise
    except Exception:  # a part of the package is unreadable: corrupt
        raise refuse(_(CORRUPT)) from None
    finally:
        workbook.close()


def check_unpacked_size(fileobj: IO[bytes]) -> None:
    """Refuse a workbook whose members unpack beyond MAX_UNPACKED_BYTES, or whose shared strings
    (held in memory whole by openpyxl) beyond MAX_SHARED_STRINGS_BYTES, before parsing it."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse(_(CORRUPT)) from None
    total = sum(member.file_size for member in members)
    shared = sum(
        member.file_size for member in members if member.filename.lower().endswith("sharedstrings.xml")
    )
    if total > MAX_UNPACKED_BYTES or shared > MAX_SHARED_STRINGS_BYTES:
        raise refuse(
            _(
                "文件解压后过大（%(size).0f MB），不能超过 %(limit)d MB，可能含有超长文本或隐藏内容。"
                "请只保留模板中的数据，或把数据拆分为多个文件。"
            )
            % {"size": total / 1024 / 1024, "limit": MAX_UNPACKED_BYTES // 1024 // 1024}
        )


def inspect_sheet(fileobj: IO[bytes], *, sheet: str, headers: list[str]) -> int | None:
    """Check the file, its sheet and headers without reading the rows; return the number of data
    rows the sheet declares (its dimension: an estimate, blank rows included), None if it does not.

    Refuses (FileRefused) as read_sheet does, except for the row count and empty sheets.
    """
    with _open_sheet(fileobj, sheet=sheet, count_rows=False) as worksheet:
        _header_positions(worksheet, headers)
        return None if worksheet.max_row is None else max(0, worksheet.max_row - 1)


def read_sheet(fileobj: IO[bytes], *, sheet: str, headers: list[str]) -> list[RawRow]:
    """The non-empty data rows of `sheet`, whose first row must hold exactly `headers` (any order).

    Refuses (FileRefused): a file that is not a zip (not .xlsx), a corrupt workbook, a missing
    sheet, missing / unknown / repeated headers, no data rows, more than MAX_ROWS data rows.
    Formulas are kept as formulas (data_only=False) so the caller can refuse them.
    """
    with _open_sheet(fileobj, sheet=sheet) as worksheet:
        positions, width = _header_positions(worksheet, headers)
        return _rows(worksheet, sheet=sheet, positions=positions, width=width)


def _header_positions(worksheet, headers: list[str]) -> tuple[dict[str, int], int]:
    header_row = next(worksheet.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS), ())
    found_headers: list[str | None] = []
    for cell in header_row:
        value = cell.value
        found_headers.append(None if _is_empty(value) else str(value).strip())
    while found_headers and found_headers[-1] is None:
        found_headers.pop()

    errors: list[RowError] = []
    positions: dict[str, int] = {}
    for index, header in enumerate(found_headers):
        if header is None:
            continue
        if header in positions:
            errors.append(RowError(1, header, _("表头重复出现")))
        elif header not in headers:
            errors.append(RowError(1, header, _("不是本模板的列，请使用导入模板的表头")))
        else:
            positions[header] = index
    errors.extend(
        RowError(1, header, _("缺少此列，请使用导入模板的表头（不要删除或改名）"))
        for header in headers
        if header not in positions
    )
    if errors:
        raise FileRefused(*errors)
    return positions, len(found_headers)


def _rows(worksheet, *, sheet: str, positions: dict[str, int], width: int) -> list[RawRow]:
    rows: list[RawRow] = []
    for number, row in enumerate(worksheet.iter_rows(min_row=2, max_col=width), start=2):
        cells = {header: (row[i].value, row[i].data_type) for header, i in positions.items() if i < len(row)}
        for header, (value, _type) in cells.items():
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise refuse(
                    _("单元格内容过长（%(length)d 字），不能超过 %(limit)d 字，请删减后重新上传。")
                    % {"length": len(value), "limit": MAX_CELL_CHARS},
                    row=number,
                    column=header,
                )
        if all(_is_empty(value) for value, _ in cells.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise refuse(
                _("数据超过 %(limit)d 行（至第 %(row)d 行仍有数据），请拆分为多个文件分别导入。")
                % {"limit": MAX_ROWS, "row": number}
            )
        rows.append(RawRow(number=number, cells=cells))
    if not rows:
        raise refuse(_("工作表“%(sheet)s”中没有数据行：请从第 2 行起填写数据。") % {"sheet": sheet})
    return rows

"""Write the importable layout: a kind's template (headers, one example row, 填写说明) and exports
of existing records in exactly the same layout, so that an exported file imports back unchanged.

The sheet and its cells are the county's file format, Chinese in both languages (see
core.imports.columns); what explains it is in the reader's language: the instructions sheet, the
dropdowns' error text, the example row's note and, in English, a comment on each header giving its
English meaning. The template's example row names the demo county's places (民权县: 褚庙乡, its
brigade and the station that covers it), so that it imports there as it stands."""

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.exports import clean_text
from core.imports.base import ImportKind
from core.imports.columns import Column
from core.imports.reader import MAX_FILE_BYTES, MAX_ROWS
from core.imports.registry import get_kind
from core.scoping import scope_queryset

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GUIDE_SHEET = gettext_noop("填写说明")
REQUIRED_FILL = PatternFill("solid", fgColor="B71C1C")
OPTIONAL_FILL = PatternFill("solid", fgColor="616161")
EXAMPLE_NOTE = gettext_noop("示例行：导入前请删除本行，或改为实际数据。")


def template_xlsx(kind: str) -> bytes:
    """The blank template of `kind`: headers, one example row, and the 填写说明 sheet."""
    spec = get_kind(kind)
    example = {}
    for column in spec.columns:
        raw = column.example
        example[column.key] = column.parse(raw) if raw not in ("", None) else None
    return _workbook(spec, [example], example_row=True)


def export_xlsx(kind: str, queryset: QuerySet) -> bytes:
    """`queryset`'s records (Premises, BrigadeMember, EquipmentItem, FundingAllocation or
    Inspection, matching `kind`) in the importable layout of `kind`."""
    spec = get_kind(kind)
    return _workbook(spec, spec.export_rows(queryset), example_row=False)


def export_queryset(kind: str, *, user, township_id: int | None = None) -> QuerySet:
    """What `user` may export of `kind` (their scope), optionally one township."""
    spec = get_kind(kind)
    field = spec.township_field
    queryset = scope_queryset(spec.model.objects.all(), user=user, township_field=field)
    if township_id is not None:
        queryset = queryset.filter(**{field: township_id})
    return queryset


def _workbook(spec: ImportKind, rows: Iterable[dict[str, Any]], *, example_row: bool) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.sheet
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column.meaning:
            # The header stays the file's word; the reader learns what it means.
            note = column.meaning if not column.help else f"{column.meaning}: {column.help}"
            cell.comment = Comment(note, "firebrigade", width=240, height=90)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    row_number = 1
    for row_number, values in enumerate(rows, start=2):
        for index, column in enumerate(spec.columns, start=1):
            _write(sheet.cell(row=row_number, column=index), column, values.get(column.key))
    if example_row:
        sheet.cell(row=2, column=1).comment = Comment(_(EXAMPLE_NOTE), "firebrigade")
        for index in range(1, len(spec.columns) + 1):
            sheet.cell(row=2, column=index).font = Font(italic=True, color="555555")
    sheet.freeze_panes = "A2"
    _add_dropdowns(sheet, spec, last_row=max(row_number, MAX_ROWS + 1))
    _guide(workbook.create_sheet(_(GUIDE_SHEET)), spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(cell, column: Column, value: Any) -> None:
    if value is None or value == "":
        return
    if column.type in ("date",) and isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif column.type in ("int", "year"):
        cell.value = int(value)
    elif column.type == "decimal":
        cell.value = float(Decimal(value))
        cell.number_format = "0.00"
    else:
        cell.value = clean_text(column.cell_text(value) if column.type in ("bool", "choice") else str(value))
        # Text stays text: "=..." or "#N/A" typed as a name must not turn into a formula or an error.
        cell.data_type = "s"


def _add_dropdowns(sheet, spec: ImportKind, *, last_row: int) -> None:
    for index, column in enumerate(spec.columns, start=1):
        if column.type not in ("choice", "bool"):
            continue
        options = ",".join(column.file_values())
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        validation.error = _("请从下拉列表中选择：%(values)s") % {"values": column.allowed_values()}
        validation.errorTitle = column.title
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)


def _guide(sheet, spec: ImportKind) -> None:
    notes = [
        _(
            "数据填写在“%(sheet)s”工作表中，第 1 行是表头，不要修改、删除或调换表头和工作表名称；从第 2 行起每行一条。"
        )
        % {"sheet": spec.sheet},
        _("文件须为 .xlsx 格式，不超过 %(size)d MB、%(rows)d 行；单元格不要使用公式（请粘贴为数值）。")
        % {"size": MAX_FILE_BYTES // 1024 // 1024, "rows": MAX_ROWS},
        _("红色表头为必填列，灰色为选填列；日期填写如 2021-11-20。"),
        str(spec.match_rule),
        _(
            "上传后先预览每一行的处理结果（新增、更新或错误）；任何一行有错误时整个文件都不会导入，改正后重新上传即可。"
        ),
        _("乡镇消防专干只能导入本乡镇的数据。"),
        *(str(note) for note in spec.notes),
    ]
    sheet.append([_("%(kind)s导入说明") % {"kind": spec.label}])
    for number, note in enumerate(notes, start=1):
        sheet.append([f"{number}. {note}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    # In English, a second column gives each header's meaning (in Chinese it would repeat it).
    with_meaning = any(column.meaning for column in spec.columns)
    titles = [_("列名"), _("含义"), _("是否必填"), _("填写说明"), _("可选值 / 格式")]
    sheet.append(titles if with_meaning else titles[:1] + titles[2:])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = REQUIRED_FILL
    for column in spec.columns:
        line = [
            column.header,
            column.meaning or column.header,
            _("必填") if column.required else _("选填"),
            str(column.help),
            column.allowed_values(),
        ]
        sheet.append(line if with_meaning else line[:1] + line[2:])
    widths = (18, 22, 10, 48, 48) if with_meaning else (18, 10, 48, 48)
    for letter, width in zip("ABCDE", widths, strict=False):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

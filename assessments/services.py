"""Writes of the assessment: a township's self-assessment, the center's score, publication.

Every score is of a manual item of a scheme still being scored, within the item's points; an item
that asks for evidence is not self-scored without it. Publication freezes the automatic items' points
as computed that moment (with what they rest on) and needs every manual item scored by the center."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import access, selectors
from assessments.models import AssessmentItem, AssessmentScheme, ItemScore
from core.exceptions import ApplicationError, ConflictError


def _lock_unpublished(scheme_id: int) -> AssessmentScheme:
    """The scheme, locked; refused once published. Read here, not taken from a caller's object: a
    publication in between must be seen, and waited for."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme_id)
    if scheme.is_published:
        raise ConflictError(_("考核结果已发布，不能再修改。"))
    return scheme


def _check_open(item: AssessmentItem) -> None:
    _lock_unpublished(item.scheme_id)
    if item.kind != AssessmentItem.Kind.MANUAL:
        raise ApplicationError(_("“%(item)s”按实时数据自动计分，不能人工打分。") % {"item": item.title})


def _check_points(item: AssessmentItem, points) -> Decimal:
    try:
        points = Decimal(str(points))
    except (ArithmeticError, ValueError):
        raise ApplicationError(_("得分须为数字。")) from None
    if not Decimal(0) <= points <= item.points or points != points.quantize(Decimal("0.1")):
        raise ApplicationError(
            _("“%(item)s”的得分须在 0 至 %(max)s 分之间，最多一位小数。")
            % {"item": item.title, "max": item.points}
        )
    return points


def _row(item: AssessmentItem, township) -> ItemScore:
    if township.county_id != item.scheme.county_id:
        raise ApplicationError(_("该乡镇不属于本考核的县。"))
    row, _created = ItemScore.objects.select_for_update().get_or_create(item=item, township=township)
    return row


@transaction.atomic
def self_score(
    *, item: AssessmentItem, township, points, note: str = "", evidence=None, by=None
) -> ItemScore:
    """The township's own score of a manual item, with its explanation and evidence."""
    access.check_self_score(by=by, township=township)
    _check_open(item)
    points = _check_points(item, points)
    row = _row(item, township)
    if item.evidence_required and not evidence and not row.evidence:
        raise ApplicationError(_("“%(item)s”须上传佐证材料。") % {"item": item.title})
    row.self_points, row.self_note, row.self_by, row.self_at = points, note.strip(), by, timezone.now()
    if evidence:
        row.evidence = evidence
    row.save()
    return row


@transaction.atomic
def center_score(*, item: AssessmentItem, township, points, note: str = "", by=None) -> ItemScore:
    """The guidance center's score of a manual item; kept apart from the township's own."""
    access.check_scheme_write(by=by)
    _check_open(item)
    points = _check_points(item, points)
    row = _row(item, township)
    row.center_points, row.center_note, row.center_by, row.center_at = (
        points,
        note.strip(),
        by,
        timezone.now(),
    )
    row.save()
    return row


@transaction.atomic
def scheme_publish(*, scheme: AssessmentScheme, by=None) -> AssessmentScheme:
    """Publish: every township's automatic points frozen as computed now, with their basis in the
    county's language (Chinese, whoever publishes: it is the record); refused while a manual item
    of some township has no score from the center, or when published already."""
    access.check_scheme_write(by=by)
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_published:
        raise ConflictError(_("考核结果已经发布。"))
    if not scheme.items.exists():
        raise ApplicationError(_("考核细则还没有考核项目。"))
    if by is None:  # the automatic items are computed as the center sees them: every township
        raise ApplicationError(_("发布须由指导中心的账号操作。"))
    with translation.override(settings.LANGUAGE_CODE):
        results = selectors.scheme_results(scheme=scheme, user=by)
    missing = sum(r.unscored for r in results)
    if missing:
        raise ApplicationError(_("尚有 %(n)s 项人工评分未由指导中心考评，不能发布。") % {"n": missing})
    for result in results:
        for item_result in result.items:
            if item_result.auto is None:
                continue
            row, _created = ItemScore.objects.get_or_create(
                item=item_result.item, township_id=result.township_id
            )
            row.auto_points, row.auto_basis = item_result.auto.points, item_result.auto.basis[:300]
            row.save(update_fields=["auto_points", "auto_basis"])
    scheme.status, scheme.published_at, scheme.published_by = (
        AssessmentScheme.Status.PUBLISHED,
        timezone.now(),
        by,
    )
    scheme.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return scheme


@transaction.atomic
def scheme_save(*, scheme: AssessmentScheme, by=None) -> AssessmentScheme:
    """Create or change a scheme (not once published)."""
    access.check_scheme_write(by=by)
    if (
        scheme.pk
        and AssessmentScheme.objects.filter(pk=scheme.pk, status=AssessmentScheme.Status.PUBLISHED).exists()
    ):
        raise ConflictError(_("考核结果已发布，不能再修改。"))
    scheme.full_clean()
    scheme.save()
    return scheme


@transaction.atomic
def item_save(*, item: AssessmentItem, by=None) -> AssessmentItem:
    """Add or change an item of a scheme still being scored; an automatic item names its metric."""
    access.check_scheme_write(by=by)
    _lock_unpublished(item.scheme_id)
    if item.kind == AssessmentItem.Kind.AUTO and not item.metric:
        raise ApplicationError(_("自动计分的项目须选择计分依据。"))
    if item.kind == AssessmentItem.Kind.MANUAL:
        item.metric = ""
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_delete(*, item: AssessmentItem, by=None) -> None:
    access.check_scheme_write(by=by)
    _lock_unpublished(item.scheme_id)
    item.delete()

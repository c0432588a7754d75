from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from assessments import services
from assessments.models import AssessmentItem, AssessmentScheme, ItemScore
from core.admin import REFUSALS, ReadOnlyAdmin, refusal_text


class ItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0
    fields = [
        "order",
        "title",
        "points",
        "kind",
        "metric",
        "deduct_per_unit",
        "evidence_required",
        "standard",
    ]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    """The guidance center's 考核细则: the scheme and its items, through the services (not once published)."""

    list_display = ["title", "county", "year", "status", "published_at"]
    list_filter = ["status", "year"]
    inlines = [ItemInline]
    readonly_fields = ["status", "published_at", "published_by"]

    def _call(self, step):
        try:
            step()
        except REFUSALS as exc:
            raise PermissionDenied(refusal_text(exc)) from exc

    def save_model(self, request, obj, form, change):
        self._call(lambda: services.scheme_save(scheme=obj, by=request.user))

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            self._call(lambda item=item: services.item_save(item=item, by=request.user))
        for item in formset.deleted_objects:
            self._call(lambda item=item: services.item_delete(item=item, by=request.user))

    def delete_model(self, request, obj):
        if obj.is_published:
            raise PermissionDenied(_("考核结果已发布，不能删除。"))
        super().delete_model(request, obj)


@admin.register(ItemScore)
class ItemScoreAdmin(ReadOnlyAdmin):
    """Scores are given on the assessment pages (self-assessment and the center's); here they are read."""

    deletable = False
    list_display = ["township", "item", "self_points", "center_points", "auto_points", "center_by"]
    list_filter = ["item__scheme", "township"]
    list_select_related = ["township", "item", "center_by"]

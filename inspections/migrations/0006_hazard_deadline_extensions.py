from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

# The change reason hazard_extend_deadline wrote, in either language it may have been saved in.
EXTENDED = Q(history_change_reason__startswith="延长整改期限：") | Q(
    history_change_reason__startswith="Rectification deadline extended:"
)


def count_past_extensions(apps, schema_editor):
    """Extensions made before they were counted, read back from each hazard's history."""
    Hazard = apps.get_model("inspections", "Hazard")
    HistoricalHazard = apps.get_model("inspections", "HistoricalHazard")
    extensions = (
        HistoricalHazard.objects.filter(EXTENDED, id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(n=Count("history_id"))
        .values("n")
    )
    Hazard.objects.update(deadline_extensions=Coalesce(Subquery(extensions), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_hazard_tally_overdue_at_end"),
    ]

    operations = [
        migrations.AddField(
            model_name="hazard",
            name="deadline_extensions",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="延期次数"),
        ),
        migrations.AddField(
            model_name="historicalhazard",
            name="deadline_extensions",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="延期次数"),
        ),
        migrations.RunPython(count_past_extensions, migrations.RunPython.noop),
    ]

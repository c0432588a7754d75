"""ImportJob.retryable: a job that failed for a system reason (interrupted, never picked up, crashed)
can be run again from its kept file. Jobs the system ended before this field existed are found by
their message, which the system alone marks as a source text ("source" in the kept error)."""

from django.db import migrations, models


def mark_system_failures(apps, schema_editor):
    ImportJob = apps.get_model("core", "ImportJob")
    ImportJob.objects.filter(status="failed", result__errors__0__source=True).update(retryable=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_notification_english"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="retryable",
            field=models.BooleanField(default=False, verbose_name="可重新运行"),
        ),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("retryable", False), ("status", "failed"), _connector="OR"),
                name="importjob_retryable_only_failed",
            ),
        ),
        # After the schema changes: PostgreSQL refuses an ALTER TABLE once rows changed in the same
        # transaction have trigger events pending.
        migrations.RunPython(mark_system_failures, migrations.RunPython.noop),
    ]

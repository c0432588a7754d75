"""The keys DRF's authtoken kept in plain text become hashed ApiTokens (clients keep working until
they expire), and the plain keys are deleted."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def hash_plain_keys(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("core", "ApiToken")
    expires = timezone.now() + dt.timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 30))
    for plain in Token.objects.all():
        ApiToken.objects.create(
            user_id=plain.user_id,
            name="",
            prefix=plain.key[:10],
            digest=hashlib.sha256(plain.key.encode()).hexdigest(),
            expires_at=expires,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_api_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_plain_keys, migrations.RunPython.noop)]

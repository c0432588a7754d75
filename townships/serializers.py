"""Representations of townships that other apps' APIs nest (an app never imports another's api)."""

from core.answers import AnswerSerializer
from townships.models import Township


class TownshipBriefSerializer(AnswerSerializer):
    class Meta:
        model = Township
        fields = ["id", "name"]

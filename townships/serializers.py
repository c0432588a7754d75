"""Representations of townships that other apps' APIs nest (an app never imports another's api)."""

from rest_framework import serializers

from townships.models import Township


class TownshipBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["id", "name"]
        read_only_fields = fields

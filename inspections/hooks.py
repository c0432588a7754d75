"""inspections' plugs into the kernel's extension points (loaded by core.apps).

The fire rescue authority reads hazards outside the township scope (those handed over to it and the
major ones, inspections.selectors.visible_hazards): their photos, rectification evidence and the
hand-over material are served to it by the same rule (core.views.protected_media)."""

from core.uploads import media_reader_register
from inspections import selectors
from inspections.models import Hazard, HazardHandover, Rectification

media_reader_register(Hazard, selectors.hazard_file_readable)
media_reader_register(Rectification, selectors.rectification_file_readable)
media_reader_register(HazardHandover, selectors.handover_file_readable)

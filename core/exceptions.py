from django.core.exceptions import PermissionDenied


class ApplicationError(Exception):
    """A rule of the county's process refused an action. `message` is shown to the user as is."""

    def __init__(self, message, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class AccessDenied(PermissionDenied):
    """An app's access policy (its `access` module: who may change what) refused `by`. Raised by the
    services themselves, so every door refuses alike: pages and the API answer 403 with `message`,
    the admin and imports show it. A PermissionDenied, so nothing turns it into a 400."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ConflictError(ApplicationError):
    """A step the record's state refuses now (a closed task reported on, a verified hazard extended)
    or a conflict with other records (a plan that inspections were filed under, deleted): not a
    mistake in what was sent, so the API answers 409, the pages show it like any refusal."""

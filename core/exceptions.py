class ApplicationError(Exception):
    """A rule of the county's process refused an action. `message` is shown to the user as is."""

    def __init__(self, message, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}

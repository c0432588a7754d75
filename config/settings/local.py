"""`make run`: a developer's or a trial county's machine. DEBUG on, a fixed dev key unless given."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-do-not-use-in-production"

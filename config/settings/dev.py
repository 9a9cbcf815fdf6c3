"""Local development: `make run`. Never used in production (production.py fails closed)."""

from .base import *
from .base import env

DEBUG = True
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
TRANSITION_ALLOW_DEMO_DATA = True

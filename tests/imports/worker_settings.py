"""The test settings with the database task backend, for `db_worker` subprocesses; with
WORKER_MEDIA_ROOT, stored files on the file system there (shared with the test process)."""

import os

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("WORKER_MEDIA_ROOT"):
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": os.environ["WORKER_MEDIA_ROOT"]},
        },
    }

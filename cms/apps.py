from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"

    def ready(self) -> None:
        from cms import publishing

        post_migrate.connect(publishing.sync_publishing, dispatch_uid="cms.sync_publishing")

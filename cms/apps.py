from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"

    def ready(self) -> None:
        from cms import cache, publishing

        post_migrate.connect(publishing.sync_publishing, dispatch_uid="cms.sync_publishing")
        post_migrate.connect(_create_cache_table, dispatch_uid="cms.create_cache_table")
        cache.connect_signals()


def _create_cache_table(*, app_config=None, using="default", **kwargs) -> None:
    """The public-page cache is the database cache in production: make sure its table exists
    after every migrate (a no-op for other cache backends, and when it already exists)."""
    from django.core.management import call_command

    from tracker.roles import after_last_app_migrated

    if after_last_app_migrated(app_config):
        call_command("createcachetable", database=using, verbosity=0)

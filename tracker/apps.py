from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Transition"

    def ready(self) -> None:
        from tracker import audit, roles

        audit.install_guards()
        # Groups are kept in step with tracker.roles after every migrate (permissions only
        # exist once each app's post_migrate has run, so this waits for the last app).
        post_migrate.connect(roles.sync_roles, dispatch_uid="tracker.roles.sync_roles")

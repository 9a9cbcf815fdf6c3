from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Transition"

    def ready(self) -> None:
        from tracker import audit

        audit.install_guards()

"""Wagtail's users app, configured with the tracker's user screens. Its own module: `tracker.apps`
must hold exactly one app config, or Django stops picking `TrackerConfig` for "tracker"."""

from wagtail.users.apps import WagtailUsersAppConfig


class TrackerUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app with the tracker's user screens (role, organisations, union, and a
    logged reason): `tracker.users_admin.TrackerUserViewSet`. Listed in INSTALLED_APPS in place
    of "wagtail.users", as Wagtail documents for a custom user viewset."""

    user_viewset = "tracker.users_admin.TrackerUserViewSet"

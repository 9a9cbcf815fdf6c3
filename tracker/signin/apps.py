from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "tracker.signin"
    label = "signin"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker.signin import checks, choosers, middleware

        checks.register()
        choosers.install()  # choosers start without inline script (the admin's CSP)
        # Every login, through the forms or Django's test `force_login`, starts the clock that
        # `SessionLifetimeMiddleware` ends the session by.
        user_logged_in.connect(middleware.stamp_signed_in, dispatch_uid="signin.stamp_signed_in")

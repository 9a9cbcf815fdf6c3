"""Signing in, fit for special-category data.

django-allauth owns the sign-in flow (its login stages), its MFA module the second factor
(TOTP with recovery codes), django-axes the lockout, django-csp the Content-Security-Policy.
This package holds only what is ours: who must have a second factor (`policy`), the stage that
makes them enrol before the sign-in completes (`stages`, `views`), how long a session lives
(`middleware`), the one reading of the client's address behind the proxy (`network`), the admin
Content-Security-Policy (`csp`), the deploy checks that keep production from switching any of
it off (`checks`) and the demo's authenticator codes (`demo`, `demo_totp`).
"""

from allauth.account import views as allauth_views
from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from config import views
from tracker.signin import views as signin_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # One sign-in for the staff site and the admin (allauth, with its second-factor stages):
    # Wagtail's own login form would skip the second factor, so it only points here.
    path("admin/login/", signin_views.admin_login, name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", cms_views.search, name="search"),
    path("my/", cms_views.my_record, name="my_record"),
    path("accounts/", include("allauth.urls")),
    # The same views at the short addresses people and links use (named last, so reverse()
    # gives these).
    path("login/", allauth_views.login, name="account_login"),
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="account_logout"),
    path("logout/", allauth_views.logout, name="logout"),
    path("login/", include("tracker.signin.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

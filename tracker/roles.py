"""The roles people hold, as Django groups, and the model permissions each one carries.

`sync_roles` (run after every migrate) makes the groups match this table, so a fresh database
and a long-lived one grant the same things. Which organisations a person's role covers is
`User.organisations`; which named records they may open is decided in the selectors.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

HR_MANAGER = "HR manager"
UNION_REP = "Union representative"
PARTNERSHIP_APPROVER = "Partnership approver"
CMS_EDITOR = "CMS editor"
AUDITOR = "Auditor"
STAFF = "Staff"

ALL_ROLES = (HR_MANAGER, UNION_REP, PARTNERSHIP_APPROVER, CMS_EDITOR, AUDITOR, STAFF)

# (app_label, model name or "*", actions). Nobody but a superuser may delete: records are closed,
# cancelled or withdrawn, never deleted, so their history stays whole.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    HR_MANAGER: [
        ("wagtailadmin", "admin", ("access",)),
        ("tracker", "organisation", ("add", "change", "view")),
        ("tracker", "succession", ("add", "change", "view")),
        ("tracker", "programme", ("add", "change", "view")),
        ("tracker", "post", ("add", "change", "view")),
        ("tracker", "staffmember", ("add", "change", "view")),
        ("tracker", "assignment", ("add", "change", "view")),
        ("tracker", "plannedchange", ("add", "change", "view")),
        ("employment", "*", ("add", "change", "view")),
        ("imports", "*", ("add", "change", "view")),
    ],
    UNION_REP: [
        ("wagtailadmin", "admin", ("access",)),
        ("tracker", "organisation", ("view",)),
        ("tracker", "programme", ("view",)),
    ],
    PARTNERSHIP_APPROVER: [
        ("wagtailadmin", "admin", ("access",)),
    ],
    CMS_EDITOR: [
        ("wagtailadmin", "admin", ("access",)),
        ("wagtailimages", "image", ("add", "change", "choose")),
        ("wagtaildocs", "document", ("add", "change", "choose")),
    ],
    AUDITOR: [
        ("wagtailadmin", "admin", ("access",)),
        ("tracker", "*", ("view",)),
        ("employment", "*", ("view",)),
        ("imports", "*", ("view",)),
    ],
    STAFF: [],
}


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role in cache


def _permissions(app_label: str, model: str, actions: tuple[str, ...]):
    if app_label == "wagtailadmin":
        return Permission.objects.filter(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    if model == "*":
        try:
            models = [m._meta.model_name for m in apps.get_app_config(app_label).get_models()]
        except LookupError:
            return Permission.objects.none()
    else:
        models = [model]
    codenames = [f"{action}_{m}" for action in actions for m in models]
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def after_last_app_migrated(app_config) -> bool:
    """post_migrate is sent once per app; work that needs every app's permissions runs once,
    after the last app that has models (or when called directly, with no app)."""
    if app_config is None:
        return True
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    return app_config is with_models[-1]


def sync_roles(*, app_config=None, **kwargs) -> None:
    """Create the role groups and set their permissions to exactly the table above."""
    if not after_last_app_migrated(app_config):
        return
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = set()
        for app_label, model, actions in grants:
            wanted.update(_permissions(app_label, model, actions).values_list("pk", flat=True))
        group.permissions.set(wanted)

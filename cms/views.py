from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from wagtail.models import Page

from cms.cache import mark_public
from cms.selectors import own_record


def search(request):
    """Wagtail search over the published, public pages; the same for every anonymous visitor,
    so cached like the pages themselves (`cms.cache`)."""
    query = request.GET.get("query", "").strip()[:200]
    results = []
    if query:
        results = list(Page.objects.live().public().specific().search(query)[:50])
    return mark_public(
        TemplateResponse(request, "cms/search.html", {"query": query, "results": results})
    )


@never_cache
@login_required
def my_record(request):
    """A member of staff's own post, case, dates, guarantees and entitlement estimate. Only ever
    the signed-in person's own record: there is no parameter that could name anyone else."""
    return TemplateResponse(request, "cms/my_record.html", {"record": own_record(request.user)})

from django.template.response import TemplateResponse
from wagtail.models import Page


def search(request):
    """Wagtail search over the published, public pages."""
    query = request.GET.get("query", "").strip()[:200]
    results = []
    if query:
        results = list(Page.objects.live().public().specific().search(query)[:50])
    return TemplateResponse(request, "cms/search.html", {"query": query, "results": results})

"""The front page: what the archive holds, and where to start."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from archive import pagecache, stats
from archive.views.meta import share_meta


@require_safe
@pagecache.kept()  # counts and the latest, which change with the index
def home(request):
    summary = stats.summary()
    description = ngettext(
        "An open archive of %(n)s official communiqué: its text, participants, demands, "
        "places and resolutions.",
        "An open archive of %(n)s official communiqués: their text, participants, demands, "
        "places and resolutions.",
        summary.communiques,
    ) % {"n": summary.communiques}
    context = {
        **share_meta(request, _("Bayan: an archive of official communiqués"), description),
        "summary": summary,
        "latest": stats.latest(10),
        "top_issuers": stats.issuers()[:8],
    }
    return render(request, "archive/home.html", context)

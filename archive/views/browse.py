"""Browsing by date of issue: years, then months, then the communiqués of a month.

Each page is kept as drawn (archive.pagecache): counts and titles of published communiqués,
which change only with the index. The years page counts the whole archive: 220 ms at
100,000 communiqués.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from archive import pagecache, stats
from archive.views.meta import share_meta


@require_safe
@pagecache.kept()
def years(request):
    context = {
        **share_meta(request, _("Browse communiqués by date"), _("Communiqués by year of issue.")),
        "years": stats.years(),
    }
    return render(request, "archive/browse_years.html", context)


@require_safe
@pagecache.kept()
def year(request, year: int):
    months = stats.months(year)
    if not months:
        raise Http404("No communiqué from that year.")
    for row in months:
        row["name"] = MONTHS[row["month"]]
    context = {
        **share_meta(
            request,
            _("Communiqués of %(year)s") % {"year": year},
            _("Communiqués issued in %(year)s, by month.") % {"year": year},
        ),
        "year": year,
        "months": months,
    }
    return render(request, "archive/browse_year.html", context)


@require_safe
@pagecache.kept()
def month(request, year: int, month: int):
    if not 1 <= month <= 12:
        raise Http404("No such month.")
    communiques = stats.in_month(year, month)
    if not communiques.exists():
        raise Http404("No communiqué from that month.")
    title = _("Communiqués of %(month)s %(year)s") % {"month": MONTHS[month], "year": year}
    context = {
        **share_meta(request, title, title + "."),
        "year": year,
        "month": month,
        "month_name": MONTHS[month],
        "communiques": communiques,
    }
    return render(request, "archive/browse_month.html", context)

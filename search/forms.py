"""Validation of a search's URL parameters, shared by the page, the API, exports and the feed."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from search.facets import FACETS, current_keys
from search.params import MAX_PAGE, SORTS, Period, SearchParams, parse_period
from search.query import ParsedQuery, QueryError, parse

_KEY = re.compile(r"^[\w-]{1,100}$")
MAX_KEYS = 30


class KeysField(forms.Field):
    """A repeatable facet parameter: ?place=idlib&place=aleppo."""

    widget = forms.MultipleHiddenInput

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(required=False, label=label, **kwargs)

    def to_python(self, value) -> tuple[str, ...]:
        if not value:
            return ()
        if isinstance(value, str):
            value = [value]
        keys: list[str] = []
        for raw in value:
            key = str(raw).strip().lower()
            if not key:
                continue
            if not _KEY.match(key):
                raise forms.ValidationError(
                    gettext(
                        "“%(value)s” is not a %(filter)s key: keys are letters, digits and "
                        "hyphens, as in the links of the filter list."
                    )
                    % {"value": raw[:40], "filter": str(self.label).lower()}
                )
            if key not in keys:
                keys.append(key)
        if len(keys) > MAX_KEYS:
            raise forms.ValidationError(
                gettext("Select at most %(limit)s values of one filter.") % {"limit": MAX_KEYS}
            )
        return tuple(keys)


class PeriodField(forms.CharField):
    def to_python(self, value) -> Period | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_period(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True, label=_("Query"))
    date_from = PeriodField(required=False, label=_("From"))
    date_to = PeriodField(required=False, label=_("To"))
    sort = forms.ChoiceField(
        required=False,
        choices=[("", _("Default")), *((key, label) for key, (label, _order) in SORTS.items())],
        error_messages={"invalid_choice": _("Sort by relevance, -date (newest) or date (oldest).")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": _("The page must be a whole number, 1 or more."),
            "min_value": _("The page must be a whole number, 1 or more."),
            # Django fills in %(limit_value)s: MAX_PAGE, from the field's max_value.
            "max_value": _(
                "Only the first %(limit_value)s pages of results are shown: narrow the search "
                "with filters or dates to reach the rest."
            ),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for facet in FACETS:
            self.fields[facet.name] = KeysField(label=facet.label)

    def clean_q(self) -> ParsedQuery:
        try:
            return parse(self.cleaned_data.get("q", ""))
        except QueryError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start.start > end.end:
            raise forms.ValidationError(
                gettext("The start date %(start)s is after the end date %(end)s.")
                % {"start": start.text, "end": end.text}
            )
        return data

    def params(self) -> SearchParams:
        data = self.cleaned_data
        return SearchParams(
            query=data["q"],
            filters=current_keys({f.name: data[f.name] for f in FACETS if data.get(f.name)}),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or "",
            page=data.get("page") or 1,
        )

    def messages(self) -> list[str]:
        """The errors, each as a sentence (a user fixes a query, not a form field)."""
        return [message for errors in self.errors.values() for message in errors]

    def source(self) -> str:
        """What the user typed, even when it does not parse, to show it back for fixing."""
        return str(self.data.get("q", ""))[:2000]

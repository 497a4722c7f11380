from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LANGUAGES = [("fr", _("French")), ("en", _("English"))]


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="fr")
    what_they_do = forms.CharField(
        label=_("What they do"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    offers = forms.CharField(
        label=_("Offers"),
        help_text=_("The problems they solve, and for whom."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    needs = forms.CharField(
        label=_("Needs"),
        help_text=_("What they are looking for: clients, partners, a job, an introduction…"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    tags = forms.CharField(
        label=_("Tags"), help_text=_("Separated by commas."), max_length=500, required=False
    )
    how_we_met = forms.CharField(
        label=_("How we met"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class NewContactForm(ProfileForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        error_messages={"invalid": _("Enter a valid e-mail address.")},
    )
    linkedin_url = forms.CharField(label=_("LinkedIn profile"), max_length=300, required=False)

    field_order = ["name", "email", "linkedin_url", "organisation", "position", "phone", "language"]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Who in my network can…"), max_length=200, required=False)
    layer = forms.TypedChoiceField(
        label=_("Circle"),
        choices=[("", _("Everyone")), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        required=False,
    )


class OfferForm(forms.Form):
    offer_statement = forms.CharField(
        label=_("Which problem am I the solution to, and for whom?"),
        help_text=_(
            "Two or three sentences, in your words. The network reads it; introductions will reuse it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )

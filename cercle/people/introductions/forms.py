from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cercle.accounts.models import Role, User
from cercle.network.models import Contact
from cercle.people.models import FavourDirection


class IntroduceForm(forms.Form):
    connector = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        label=_("Through whom (someone who knows them)"),
        error_messages={"invalid_choice": _("This person is no longer in the network (erased or merged).")},
    )
    beneficiary = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Who is to be introduced"))
    purpose = forms.CharField(
        label=_("Why you want to meet them"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("The request to the connector"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )

    def __init__(self, *args: Any, target: Contact, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people: QuerySet[Contact] = (
            Contact.objects.filter(merged_into__isnull=True, in_network=True, hub_own=False)
            .exclude(pk=target.pk)
            .exclude(email="")
            .order_by("name", "email")
        )
        self.fields["connector"].queryset = people  # type: ignore[attr-defined]
        self.fields["beneficiary"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.LEADER, Role.SECOND, Role.MEMBER]
        ).order_by("first_name", "last_name")
        self.fields["beneficiary"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
        self.fields["connector"].label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.display_name} · {c.organisation}" if c.organisation else c.display_name
        )


class FavourForm(forms.Form):
    direction = forms.ChoiceField(label=_("Who helped whom"), choices=FavourDirection.choices)
    what = forms.CharField(label=_("With what"), max_length=300)
    introduction = forms.BooleanField(label=_("It was an introduction"), required=False)


class ThanksForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(label=_("The thanks"), required=False, widget=forms.Textarea(attrs={"rows": 10}))

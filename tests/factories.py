"""Factories for the test suite. Personas live in conftest.py."""

from __future__ import annotations

import factory
from django.utils import timezone

from cercle.accounts.models import Role, User
from cercle.circle.models import MemberProfile
from cercle.circulation.models import Channel, Request
from cercle.network.models import Contact


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.MEMBER
    password = factory.django.Password("secret-pass-123")


class MemberFactory(UserFactory):
    role = Role.MEMBER
    profile = factory.RelatedFactory("tests.factories.ProfileFactory", factory_related_name="user")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    headline_fr = "Conseil en stratégie"
    headline_en = "Strategy consulting"
    skills = "stratégie, facilitation"
    capacity = 3


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        django_get_or_create = ("email",)

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"requester{n}@client.example")
    organisation = "Client SA"
    language = "fr"


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Request

    subject = factory.Sequence(lambda n: f"Demande d'accompagnement n°{n}")
    summary = "Nous souhaitons être accompagnés dans notre transition."
    requester = factory.SubFactory(ContactFactory)
    channel = Channel.MAIL
    language = "fr"
    received_at = factory.LazyFunction(timezone.now)
    state_changed_at = factory.LazyAttribute(lambda r: r.received_at)

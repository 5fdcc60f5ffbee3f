"""Account forms: sign-up, the first administrator, invites, asking for a verification link."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

from sharing.accounts.models import Invite, VerifiedEmail
from sharing.accounts.signup import allowed_domains, domain_allowed


def _address_is_free(email: str) -> str:
    email = email.strip()
    User = get_user_model()
    if (
        User.objects.filter(email__iexact=email).exists()
        or VerifiedEmail.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError("An account with this e-mail address exists.", code="taken")
    return email


class SignUpForm(UserCreationForm):
    """A new account, allowed by ``invite`` (may be None) or by the address's domain."""

    email = forms.EmailField(required=True, help_text="We send a link to confirm it is yours.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, invite: Invite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invite = invite
        self.fields["username"].help_text = "Letters, digits and . + - _ (no @)."
        if invite is not None and invite.email:
            self.fields["email"].initial = invite.email
            self.fields["email"].help_text = "This invite is for this address."

    def clean_email(self) -> str:
        email = _address_is_free(self.cleaned_data["email"])
        if self.invite is not None:
            if self.invite.email and email.casefold() != self.invite.email.casefold():
                raise ValidationError(
                    "This invite is for another e-mail address.", code="invite_address"
                )
        elif not domain_allowed(email):
            domains = ", ".join(sorted(allowed_domains())) or "none"
            raise ValidationError(
                "Without an invite, only addresses at these domains may sign up: %(domains)s.",
                code="domain_not_allowed",
                params={"domains": domains},
            )
        return email


class SetupForm(UserCreationForm):
    """The first administrator's account."""

    email = forms.EmailField(required=True)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class InviteForm(forms.Form):
    DAY_CHOICES = [("1", "1 day"), ("7", "7 days"), ("30", "30 days")]

    email = forms.EmailField(
        required=False, help_text="Optional: only this address may use the invite."
    )
    note = forms.CharField(max_length=100, required=False, help_text="Who it is for.")
    days = forms.TypedChoiceField(
        label="Expires after", choices=DAY_CHOICES, coerce=int, initial="7"
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        return _address_is_free(email) if email else ""

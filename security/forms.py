from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from security.otp import check_second_factor

OTP_WIDGET = forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"})


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form plus the authenticator code, which only users
    with a confirmed device need to give."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=10,
        widget=OTP_WIDGET,
        help_text=_("Only if you have set up two-factor login."),
    )

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is not None:
            # django_otp's user_logged_in receiver stores the device in the
            # session, which marks the session verified.
            user.otp_device = check_second_factor(user, cleaned_data.get("otp_token"))
        return cleaned_data


class EnrolForm(forms.Form):
    otp_token = forms.CharField(label=_("Code from the app"), max_length=10, widget=OTP_WIDGET)

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        code = self.cleaned_data["otp_token"]
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                _("That code is wrong: check the phone's clock and try the newest one.")
            )
        return code

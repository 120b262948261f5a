from base64 import b32encode
from functools import update_wrapper

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.forms import AdminLoginForm, EnrolForm
from security.otp import must_enrol

UNCONFIRMED_DEVICE_NAME = "Authenticator app"


class AdminSite(admin.AdminSite):
    """The admin, with the authenticator code at login (for users with a
    device) and enrolment first (for staff, when CASETRACKER_REQUIRE_2FA)."""

    login_form = AdminLoginForm
    login_template = "security/admin_login.html"

    def has_permission(self, request):
        # A session that skipped the code of an existing device (one added
        # after login) goes back to the login page, which asks for it.
        user = request.user
        return super().has_permission(request) and (user.is_verified() or not user_has_device(user))

    def admin_view(self, view, cacheable=False):
        if view == self.logout:
            return super().admin_view(view, cacheable)

        def enrolled_view(request, *args, **kwargs):
            if must_enrol(request.user):
                return redirect("admin:two_factor")
            return view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(enrolled_view, view), cacheable)

    def get_urls(self):
        # Past has_permission() but not the enrolment check: enrolment happens here.
        enrol = super().admin_view(self.two_factor_view)
        return [path("two-factor/", enrol, name="two_factor"), *super().get_urls()]

    def two_factor_view(self, request):
        """Shows the secret of a new authenticator device and confirms it with
        a first code; the session then counts as verified."""
        confirmed = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
        device = None
        form = None
        if confirmed is None:
            device, _created = TOTPDevice.objects.get_or_create(
                user=request.user, confirmed=False, defaults={"name": UNCONFIRMED_DEVICE_NAME}
            )
            form = EnrolForm(request.POST or None, device=device)
            if request.method == "POST" and form.is_valid():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                messages.success(request, _("Two-factor login is on: the admin will ask for a code."))
                return redirect("admin:index")
        context = {
            **self.each_context(request),
            "title": _("Two-factor login"),
            "confirmed": confirmed,
            "device": device,
            "secret": b32encode(device.bin_key).decode() if device else None,
            "form": form,
            "must_enrol": must_enrol(request.user),
        }
        return TemplateResponse(request, "security/two_factor.html", context)

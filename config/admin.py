"""Registrations the composition root takes out of the admin.

Authenticator keys and recovery codes are neither shown nor edited in the admin: an administrator resets a
user's second step on Minka's own page (/cuenta/dos-pasos/usuarios/), which logs it (toolkit/two_factor.py).
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

"""Model fields encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256).

The database holds only ciphertext; Python code, the admin and authorised API
clients see the plain value. Keys come from settings.FIELD_ENCRYPTION_KEYS
(first key encrypts, every key decrypts), so a key is rotated by putting a new
one first and running `manage.py rotate_field_keys`. Encrypted values cannot
be searched or filtered on: every encryption of one value differs.
"""

import datetime
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys):
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set CASETRACKER_FIELD_KEYS.")
    return MultiFernet([Fernet(key) for key in keys])


def fernet():
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain):
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token):
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with the configured keys (CASETRACKER_FIELD_KEYS)."
        ) from exc


def rotate(token):
    return fernet().rotate(token.encode()).decode()


def encrypted_field_names(model):
    return [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedMixin)]


class EncryptedMixin:
    """Ciphertext in a text column; the plain value everywhere else."""

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return self.from_plain(decrypt(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.to_python(value)
        if value in (None, ""):
            return value
        return encrypt(self.to_plain(value))


class EncryptedCharField(EncryptedMixin, models.CharField):
    def from_plain(self, plain):
        return plain

    def to_plain(self, value):
        return value


class EncryptedDateField(EncryptedMixin, models.DateField):
    def from_plain(self, plain):
        return datetime.date.fromisoformat(plain)

    def to_plain(self, value):
        return value.isoformat()

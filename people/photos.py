"""Photo uploads: decoded in full by Pillow, refused unless a real JPEG, PNG
or WebP within the caps, and re-encoded so that no EXIF, GPS, XMP or trailing
bytes survive. Stored under a random name with a thumbnail for lists."""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (320, 320)


def _caps():
    return settings.PHOTO_MAX_BYTES, settings.PHOTO_MAX_PIXELS


def sanitize_photo(upload):
    """Return (photo, thumbnail) as ContentFiles with random names, or raise
    ValidationError naming the problem."""
    max_bytes, max_pixels = _caps()
    if upload.size > max_bytes:
        raise ValidationError(
            _("The photo is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": upload.size // 1_000_000, "limit": max_bytes // 1_000_000},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x MAX_IMAGE_PIXELS: make it refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Only JPEG, PNG or WebP photos are accepted."), code="bad_format")
            # Checked before decoding: the header gives the size, so a
            # decompression bomb is refused before it costs memory.
            if image.width * image.height > max_pixels:
                raise ValidationError(
                    _("The photo is %(pixels)d megapixels; the limit is %(limit)d.")
                    % {"pixels": image.width * image.height // 1_000_000, "limit": max_pixels // 1_000_000},
                    code="too_many_pixels",
                )
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
    ) as exc:
        raise ValidationError(
            _("The file is not a readable JPEG, PNG or WebP image."), code="unreadable"
        ) from exc
    image_format = image.format
    image = ImageOps.exif_transpose(image)
    mode = (
        "RGBA"
        if image_format != "JPEG" and ("A" in image.getbands() or "transparency" in image.info)
        else "RGB"
    )
    # A new image from the pixels alone: Pillow's encoders fall back to the
    # source's info (ICC, XMP, EXIF) in places, and a fresh image has none.
    pixels = image.convert(mode)
    image = Image.frombytes(mode, pixels.size, pixels.tobytes())
    name = uuid.uuid4().hex
    extension = ALLOWED_FORMATS[image_format]
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    return (
        ContentFile(_encode(image, image_format), name=f"{name}.{extension}"),
        ContentFile(_encode(thumbnail, image_format), name=f"{name}-thumb.{extension}"),
    )


def _encode(image, image_format):
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **({"quality": 88} if image_format in {"JPEG", "WEBP"} else {}))
    return buffer.getvalue()

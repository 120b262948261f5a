"""Hostile and dirty uploads, built in memory."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from people.photos import sanitize_photo

GPS_CANARY = b"GPS-CANARY-48.8566N"


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def jpeg_with_metadata():
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0)}  # GPS IFD
    exif[0x9286] = GPS_CANARY.decode()  # UserComment
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + GPS_CANARY + b"</x:xmpmeta>"
    return image_bytes("JPEG", exif=exif.tobytes(), xmp=xmp, comment=GPS_CANARY)


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_photo_jpeg_reencoded_without_exif_gps_xmp():
    source = jpeg_with_metadata()
    assert GPS_CANARY in source
    assert b"CanaryCam" in source
    photo, thumbnail = sanitize_photo(upload(source))
    for stored in (photo, thumbnail):
        data = stored.read()
        assert GPS_CANARY not in data
        assert b"CanaryCam" not in data
        assert b"Exif" not in data
        reopened = Image.open(io.BytesIO(data))
        assert reopened.format == "JPEG"
        assert not reopened.getexif()
        assert "xmp" not in reopened.info


def test_photo_random_name_never_the_uploaders():
    photo, thumbnail = sanitize_photo(upload(image_bytes(), name="hugo-parra-winn.jpg"))
    assert "parra" not in photo.name
    assert "parra" not in thumbnail.name
    assert photo.name.endswith(".jpg")
    assert len(photo.name) == len("0" * 32 + ".jpg")


def test_photo_png_with_html_appended_comes_out_clean():
    hostile = image_bytes("PNG") + b"<html><script>alert('x')</script></html>"
    photo, _ = sanitize_photo(upload(hostile, name="x.png", content_type="image/png"))
    data = photo.read()
    assert b"<script>" not in data
    assert data.endswith(b"IEND\xaeB`\x82")


def test_photo_thumbnail_made_for_lists():
    _, thumbnail = sanitize_photo(upload(image_bytes(size=(2000, 1000))))
    assert Image.open(thumbnail).size == (320, 160)


def test_photo_webp_accepted():
    photo, _ = sanitize_photo(upload(image_bytes("WEBP"), name="p.webp", content_type="image/webp"))
    assert Image.open(photo).format == "WEBP"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "photo.jpg"),
        (b"<html><body>not an image</body></html>", "photo.jpg"),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF", "photo.jpg"),
        (image_bytes("GIF"), "photo.jpg"),
        (image_bytes("BMP"), "photo.jpg"),
        (image_bytes("JPEG")[:200], "photo.jpg"),  # truncated
    ],
    ids=["svg", "html", "pdf", "gif", "bmp", "truncated-jpeg"],
)
def test_photo_non_images_and_other_formats_refused(data, name):
    with pytest.raises(ValidationError) as excinfo:
        sanitize_photo(upload(data, name=name))
    assert excinfo.value.messages[0] in {
        "Only JPEG, PNG or WebP photos are accepted.",
        "The file is not a readable JPEG, PNG or WebP image.",
    }


def png_bomb(width, height):
    """A tiny PNG declaring a huge canvas of zeros: it would take width*height
    bytes to decode."""

    def chunk(kind, payload):
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = b"".join(compressor.compress(row) for _ in range(16)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(8_000, 6_000), (30_000, 30_000)], ids=["48MP", "900MP"])
def test_photo_decompression_bomb_refused_before_decoding(width, height):
    bomb = png_bomb(width, height)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as excinfo:
        sanitize_photo(upload(bomb, name="bomb.png", content_type="image/png"))
    assert excinfo.value.code in {"too_many_pixels", "unreadable"}


def test_photo_over_byte_cap_refused(settings):
    settings.PHOTO_MAX_BYTES = 1_000
    with pytest.raises(ValidationError) as excinfo:
        sanitize_photo(upload(image_bytes(size=(400, 400), color=(1, 2, 3)) + b"\x00" * 2_000))
    assert excinfo.value.code == "too_large"

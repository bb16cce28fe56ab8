"""QR codes for pass and stamp tokens, as SVG and PNG.

Error correction M, the smallest version that holds the token, and the standard four-module quiet zone. The token
goes in as one byte-mode segment: qrcode's default splits digit runs into numeric segments, and each extra
segment header costs more than it saves, which can push a 122-byte pass token past version 7.
"""

import io

import qrcode
import qrcode.image.pil
import qrcode.image.svg
from qrcode.util import MODE_8BIT_BYTE, QRData

QUIET_ZONE = 4  # modules of light margin the QR specification asks for around the symbol


def version(token: str) -> int:
    """The QR version (1 to 40) that holds ``token``; a pass token fits version 7."""
    return _code(token).version


def svg(token: str) -> bytes:
    """A standalone SVG document, UTF-8, that scales to whatever size the page gives it.

    The view box counts modules and there is no width or height, so CSS sizes it; the background is painted
    white so the quiet zone stays light on a dark page; ``crispEdges`` keeps seams from showing between
    neighbouring modules at fractional scales.
    """
    # qrcode's SVG unit is a tenth of box_size, so a box of 10 makes one unit per module.
    image = _code(token, box_size=10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    root = image.get_image()
    del root.attrib["width"], root.attrib["height"]
    root.set("shape-rendering", "crispEdges")
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def png(token: str, *, scale: int = 8) -> bytes:
    """A black-and-white PNG with ``scale`` pixels per module."""
    code = _code(token, box_size=scale)
    out = io.BytesIO()
    code.make_image(image_factory=qrcode.image.pil.PilImage).save(out)
    return out.getvalue()


def _code(token: str, *, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE)
    code.add_data(QRData(token.encode("ascii"), mode=MODE_8BIT_BYTE))
    code.make(fit=True)
    return code

"""QR codes for pass and stamp tokens, as SVG and PNG.

Error correction M, the smallest version that holds the token, and the standard four-module quiet zone. The token
goes in as one byte-mode segment: qrcode's default splits digit runs into numeric segments, and each extra
segment header costs more than it saves, which can push a 122-byte pass token past version 7.
"""

import io
import re

import qrcode
import qrcode.util
from PIL import Image
from qrcode.main import copy_2d_array, precomputed_qr_blanks
from qrcode.util import MODE_8BIT_BYTE, QRData

QUIET_ZONE = 4  # modules of light margin the QR specification asks for around the symbol


def version(token: str) -> int:
    """The QR version (1 to 40) that holds ``token``; a pass token fits version 7."""
    return _code(token).version


def svg(token: str) -> bytes:
    """A standalone SVG document, UTF-8, that scales to whatever size the page gives it.

    The view box counts modules and there is no width or height, so CSS sizes it; the background is painted
    white so the quiet zone stays light on a dark page; ``crispEdges`` keeps seams from showing between
    neighbouring modules at fractional scales. Each row's runs of dark modules are one rectangle of one path
    (qrcode's own SVG factory builds an element tree per module and takes several times longer).
    """
    modules = matrix(token)
    n = len(modules)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path fill="#000" d="{svg_path(modules)}"/></svg>\n'
    ).encode()


def png(token: str, *, scale: int = 8) -> bytes:
    """A black-and-white PNG with ``scale`` pixels per module."""
    modules = matrix(token)
    n = len(modules)
    image = Image.new("1", (n, n))
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    out = io.BytesIO()
    image.resize((n * scale, n * scale), Image.NEAREST).save(out, format="PNG", optimize=False)
    return out.getvalue()


def matrix(token: str) -> list[list[bool]]:
    """The modules of ``token``'s QR code, quiet zone included, row by row (True is dark)."""
    return _code(token).get_matrix()


def svg_path(modules: list[list[bool]]) -> str:
    """An SVG path ``d`` drawing the dark modules, one unit per module, runs of a row merged into one rectangle."""
    parts = []
    for y, row in enumerate(modules):
        x, width = 0, len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return "".join(parts)


_RUNS = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")
_MASK_BITS: dict[tuple[int, int], list[int]] = {}


def _mask_rows(n: int, pattern: int) -> list[int]:
    """Per row, the columns mask `pattern` flips, as bits (column c is bit n-1-c)."""
    rows = _MASK_BITS.get((n, pattern))
    if rows is None:
        flips = qrcode.util.mask_func(pattern)
        rows = _MASK_BITS[(n, pattern)] = [sum(1 << (n - 1 - c) for c in range(n) if flips(r, c)) for r in range(n)]
    return rows


def _penalty(rows: list[int], n: int) -> int:
    """ISO/IEC 18004's mask penalty, as qrcode's ``util.lost_point`` counts it, on rows held as bits."""
    full, pairs = (1 << n) - 1, (1 << (n - 1)) - 1
    lines = [format(row, f"0{n}b") for row in rows]
    lines += ["".join(column) for column in zip(*lines, strict=False)]
    points = sum(len(run) - 2 for line in lines for run in _RUNS.findall(line))  # runs of five or more
    points += 40 * sum(len(_FINDER_LIKE.findall(line)) for line in lines)  # 1:1:3:1:1 with four light
    for upper, lower in zip(rows, rows[1:], strict=False):  # 2x2 blocks of one colour
        dark = upper & lower
        light = ~upper & ~lower & full
        points += 3 * ((dark & (dark >> 1) & pairs).bit_count() + (light & (light >> 1) & pairs).bit_count())
    dark_share = sum(row.bit_count() for row in rows) / (n * n)
    return points + 10 * int(abs(dark_share * 100 - 50) / 5)


class _Code(qrcode.QRCode):
    """qrcode's QRCode choosing the mask as qrcode does (lowest penalty, the first of equals), several times faster.

    qrcode places the data eight times, once per mask, and counts each penalty cell by cell; here the data is
    placed once and each mask is a XOR of row bitmasks over the data cells, counted with regular expressions and
    bit counts. ``test_qr_mask_choice_is_qrcode_s`` holds the two to the same choice.
    """

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)  # the data, under mask 0; format bits light, as in qrcode's trial
        n = self.modules_count
        placed = [sum(1 << (n - 1 - c) for c, dark in enumerate(row) if dark) for row in self.modules]
        self.modules = copy_2d_array(precomputed_qr_blanks[self.version])  # function patterns only
        self.setup_type_info(True, 0)
        if self.version >= 7:
            self.setup_type_number(True)
        data = [sum(1 << (n - 1 - c) for c, cell in enumerate(row) if cell is None) for row in self.modules]
        under_0 = _mask_rows(n, 0)
        best, lowest = 0, None
        for pattern in range(8):
            under = _mask_rows(n, pattern)
            rows = [p ^ ((m0 ^ m) & d) for p, m0, m, d in zip(placed, under_0, under, data, strict=False)]
            points = _penalty(rows, n)
            if lowest is None or points < lowest:
                best, lowest = pattern, points
        return best


def _code(token: str, *, box_size: int = 10) -> qrcode.QRCode:
    code = _Code(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE)
    code.add_data(QRData(token.encode("ascii"), mode=MODE_8BIT_BYTE))
    code.make(fit=True)
    return code

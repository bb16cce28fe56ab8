"""Venue posters for the stamp passport: an A4 page with the venue's name in Vietnamese and English and the QR
code of an S1 stamp token, which attendees scan from the app's passport screen.

One layout (`layout`, millimetres from the top-left corner) is drawn two ways: as a standalone SVG document for
`GET /api/venues/{id}/poster.svg`, and onto PDF pages with reportlab for `lehoi posters`. Vietnamese needs a font
with its diacritics: the PDF embeds DejaVu Sans (or Noto Sans, Liberation Sans, or `--font`); the SVG names
those families and lets the viewer pick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from server.codecs import qr
from server.programme.schemas import Festival, Venue

PAGE_W, PAGE_H = 210.0, 297.0  # A4, millimetres
MARGIN = 15.0
ACCENT = "#a31d2b"  # lacquer red
INK = "#1d1d1b"
MUTED = "#5b5b57"
SVG_FONTS = "'DejaVu Sans', 'Noto Sans', 'Liberation Sans', Arial, sans-serif"
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
]

#: width in mm of `text` at `size` mm, bold or not
Measure = Callable[[str, float, bool], float]


def estimate(text: str, size: float, bold: bool) -> float:
    """A font-free width estimate (DejaVu Sans averages a little over half an em per character)."""
    return len(text) * size * (0.62 if bold else 0.56)


@dataclass(frozen=True)
class Text:
    text: str
    y: float  # baseline
    size: float
    bold: bool = False
    fill: str = INK
    x: float = PAGE_W / 2  # centre


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Code:
    x: float
    y: float
    size: float
    modules: list[list[bool]]


Element = Text | Box | Code


def wrap(text: str, size: float, bold: bool, width: float, measure: Measure) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) == 2:  # balance two lines rather than leave one word alone on the second
        words = text.split()
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        fitting = [s for s in splits if measure(s[0], size, bold) <= width and measure(s[1], size, bold) <= width]
        if fitting:
            return list(min(fitting, key=lambda s: max(measure(s[0], size, bold), measure(s[1], size, bold))))
    return lines or [""]


def _fit(text: str, size: float, bold: bool, width: float, max_lines: int, measure: Measure) -> tuple[list[str], float]:
    """Lines of `text`, shrinking the size until they fit `max_lines`."""
    while True:
        lines = wrap(text, size, bold, width, measure)
        if len(lines) <= max_lines or size <= 4:
            return lines, size
        size *= 0.9


def layout(
    venue: Venue, festival: Festival | None, token: str, key_id: str, measure: Measure = estimate
) -> list[Element]:
    width = PAGE_W - 2 * MARGIN
    out: list[Element] = [Box(0, 0, PAGE_W, 38, ACCENT)]
    if festival is not None:
        out.append(Text(festival.name.vi, 15, 6.2, True, "#ffffff"))
        out.append(Text(festival.name.en, 23, 4.4, False, "#ffffff"))
        out.append(Text(f"{festival.theme.vi} · {festival.theme.en}", 31, 3.8, False, "#f3d9dc"))
    out.append(Text("HỘ CHIẾU LỄ HỘI · FESTIVAL PASSPORT", 52, 4.2, True, ACCENT))
    y = 52.0
    lines, size = _fit(venue.name.vi, 12.0, True, width, 2, measure)
    for line in lines:
        y += size * 1.25
        out.append(Text(line, y, size, True))
    lines, size = _fit(venue.name.en, 7.0, False, width, 2, measure)
    for line in lines:
        y += size * 1.35
        out.append(Text(line, y, size, False, MUTED))
    modules = qr.matrix(token)
    bottom = PAGE_H - 62  # room for the instructions and the footer
    side = min(130.0, bottom - (y + 8))
    out.append(Code((PAGE_W - side) / 2, y + 8, side, modules))
    y = y + 8 + side + 9
    out.append(Text("Mở lehoi › Hộ chiếu › Quét mã này để nhận dấu", y, 5.2, True))
    out.append(Text("Open lehoi › Passport › scan this code to collect the stamp", y + 7.5, 4.4, False, MUTED))
    address = venue.address.vi or venue.address.en
    if address:
        lines, size = _fit(address, 3.4, False, width, 2, measure)
        for i, line in enumerate(lines):
            out.append(Text(line, PAGE_H - 22 + i * 4.4, size, False, MUTED))
    out.append(Text(f"{venue.id} · {key_id}", PAGE_H - 10, 2.8, False, MUTED))
    return out


def svg(elements: Iterable[Element]) -> bytes:
    """A standalone A4 SVG document (1 unit = 1 mm)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W:g}mm" height="{PAGE_H:g}mm" '
        f'viewBox="0 0 {PAGE_W:g} {PAGE_H:g}">',
        f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="#ffffff"/>',
        f'<g font-family="{SVG_FONTS}" text-anchor="middle">',
    ]
    for e in elements:
        if isinstance(e, Box):
            parts.append(f'<rect x="{e.x:g}" y="{e.y:g}" width="{e.w:g}" height="{e.h:g}" fill="{e.fill}"/>')
        elif isinstance(e, Text):
            weight = ' font-weight="bold"' if e.bold else ""
            parts.append(
                f'<text x="{e.x:g}" y="{e.y:.2f}" font-size="{e.size:.2f}"{weight} fill="{e.fill}">'
                f"{escape(e.text)}</text>"
            )
        else:
            n = len(e.modules)
            parts.append(
                f'<svg x="{e.x:.2f}" y="{e.y:.2f}" width="{e.size:.2f}" height="{e.size:.2f}" viewBox="0 0 {n} {n}" '
                f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#ffffff"/>'
                f'<path fill="#000000" d="{qr.svg_path(e.modules)}"/></svg>'
            )
    parts.append("</g></svg>")
    return "\n".join(parts).encode("utf-8")


def poster_svg(venue: Venue, festival: Festival | None, token: str, key_id: str) -> bytes:
    return svg(layout(venue, festival, token, key_id))


class PdfWriter:
    """A multi-page PDF of posters, drawn with reportlab, fonts embedded."""

    def __init__(self, out: Path, font: Path | None = None) -> None:
        from reportlab.lib.units import mm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen.canvas import Canvas

        self._mm = mm
        self._metrics = pdfmetrics
        regular, bold = find_fonts(font)
        if regular is None:
            self.fonts = ("Helvetica", "Helvetica-Bold")
            self.warning = "no TTF font with Vietnamese letters found: diacritics may be lost (use --font)"
        else:
            pdfmetrics.registerFont(TTFont("PosterRegular", str(regular)))
            pdfmetrics.registerFont(TTFont("PosterBold", str(bold or regular)))
            self.fonts = ("PosterRegular", "PosterBold")
            self.warning = None
        self._canvas = Canvas(str(out), pagesize=(PAGE_W * mm, PAGE_H * mm))
        self._canvas.setTitle("lehoi venue posters")
        self._canvas.setAuthor("lehoi")

    def measure(self, text: str, size: float, bold: bool) -> float:
        # size is in mm and so is the answer: widths scale with the size
        return self._metrics.stringWidth(text, self.fonts[bold], size)

    def page(self, elements: Iterable[Element]) -> None:
        c, mm = self._canvas, self._mm
        for e in elements:
            if isinstance(e, Box):
                c.setFillColor(e.fill)
                c.rect(e.x * mm, (PAGE_H - e.y - e.h) * mm, e.w * mm, e.h * mm, stroke=0, fill=1)
            elif isinstance(e, Text):
                c.setFillColor(e.fill)
                c.setFont(self.fonts[e.bold], e.size * mm)
                c.drawCentredString(e.x * mm, (PAGE_H - e.y) * mm, e.text)
            else:
                unit = e.size / len(e.modules)
                c.setFillColor("#000000")
                path = c.beginPath()
                for row, line in enumerate(e.modules):
                    col = 0
                    while col < len(line):
                        if line[col]:
                            start = col
                            while col < len(line) and line[col]:
                                col += 1
                            path.rect(
                                (e.x + start * unit) * mm,
                                (PAGE_H - e.y - (row + 1) * unit) * mm,
                                (col - start) * unit * mm,
                                unit * mm,
                            )
                        else:
                            col += 1
                c.drawPath(path, stroke=0, fill=1)
        c.showPage()

    def close(self) -> None:
        self._canvas.save()


def find_fonts(font: Path | None = None) -> tuple[Path | None, Path | None]:
    """(regular, bold) TTF files: `font` (bold: a sibling with -Bold), else the first installed candidate."""
    if font is not None:
        bold = font.with_name(font.stem.replace("-Regular", "") + "-Bold" + font.suffix)
        return font, bold if bold.exists() else None
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists():
            return Path(regular), Path(bold) if Path(bold).exists() else None
    return None, None

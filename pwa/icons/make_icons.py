"""Draws the app icons (run once with Pillow: `python3 pwa/icons/make_icons.py`; the PNGs are committed).

The mark is a crossroads, the festival's theme ("Giao lộ sáng tạo", Creative Crossroads): two white roads
crossing inside a ring, a gold square where they meet, on the app's lacquer red.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
RED = (155, 27, 32, 255)
WHITE = (255, 255, 255, 255)
GOLD = (240, 189, 64, 255)


def mark(size: int, scale: float, rounded: bool) -> Image.Image:
    """The mark on a red square; `scale` is the share of the side the ring takes."""
    big = size * 4  # draw large, then shrink: smooth edges
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if rounded:
        d.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.22, fill=RED)
    else:
        d.rectangle([0, 0, big, big], fill=RED)
    c = big / 2
    r = big * scale / 2
    ring = r * 0.16
    d.ellipse([c - r, c - r, c + r, c + r], outline=WHITE, width=int(ring))
    road = r * 0.30
    inner = r - ring * 0.5
    d.rectangle([c - road / 2, c - inner, c + road / 2, c + inner], fill=WHITE)
    d.rectangle([c - inner, c - road / 2, c + inner, c + road / 2], fill=WHITE)
    g = road * 0.42
    d.polygon([(c, c - g), (c + g, c), (c, c + g), (c - g, c)], fill=GOLD)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    mark(192, 0.70, True).save(HERE / "icon-192.png", optimize=True)
    mark(512, 0.70, True).save(HERE / "icon-512.png", optimize=True)
    # maskable: full-bleed, the mark well inside the 80 % safe circle
    mark(512, 0.52, False).save(HERE / "maskable-512.png", optimize=True)
    apple = Image.new("RGBA", (180, 180), RED)
    apple.alpha_composite(mark(180, 0.62, False))
    apple.convert("RGB").save(HERE / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()

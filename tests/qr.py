"""Reading the QR codes the pages print, as a phone would: the label's SVG (segno's: one path of
horizontal strokes, one module high) is drawn into a bitmap and decoded with zxing-cpp, a real
decoder, not segno."""

import re

import zxingcpp
from PIL import Image, ImageDraw

LABEL_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
PIXELS = 8  # per module


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (x, y) of segno's inline SVG: `d` is "M x y" then "h n" (a run of n dark
    modules) and "m dx dy" (a relative move) commands, y at the modules' middle (row + .5)."""
    path = re.search(r'\bd="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, numbers in re.findall(r"([MmHhVv])([^MmHhVv]*)", path):
        values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        elif command == "h":
            run = int(values[0])
            dark.update((int(x) + i, int(y - 0.5)) for i in range(run))
            x += run
        else:
            raise AssertionError(f"unexpected path command {command}")
    return dark


def decode_svg(svg: str) -> str:
    """The text a QR code drawn as segno's SVG holds."""
    dark = svg_modules(svg)
    size = max(max(x for x, _ in dark), max(y for _, y in dark)) + 5  # with a quiet zone
    image = Image.new("L", (size * PIXELS, size * PIXELS), 255)
    draw = ImageDraw.Draw(image)
    for x, y in dark:
        draw.rectangle([x * PIXELS, y * PIXELS, (x + 1) * PIXELS - 1, (y + 1) * PIXELS - 1], fill=0)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"{len(results)} codes found"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def page_labels(html: str) -> list[tuple[str, str]]:
    """(data-token, the text its code decodes to) of every label on a label sheet."""
    found = []
    for block in re.findall(
        r'<div class="label"[^>]*data-token="([^"]+)"[^>]*>(.*?)</div>\s*</div>', html, re.S
    ):
        token, inner = block
        found.append((token, decode_svg(LABEL_SVG.search(inner).group(0))))
    return found

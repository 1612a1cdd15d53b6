"""Reading a QR code back, for the posters' tests (no QR decoder is installed): the modules of the code a page
shows (segno's inline SVG) and of each code a poster PDF prints (its PNG, a pixel a module), compared with the
modules segno makes for the address expected — the same modules are the same code, so it decodes to that
address."""

import io
import re

import pypdf
import segno

BORDER = 4  # the quiet zone, in modules, of the codes places.posters makes


def expected(url: str) -> list[list[bool]]:
    """The modules of the code for the address, as any QR code of it at level M made by segno would be."""
    return [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]


def svg_modules(html: str) -> list[list[bool]]:
    """The modules of the (first) QR code of a page: its dark path drawn as rows of horizontal runs."""
    svg = re.search(r"<svg[^>]*viewBox=\"0 0 (\d+) (\d+)\"[^>]*>.*?</svg>", html, re.S)
    assert svg, "no QR code on the page"
    size = int(svg[1]) - 2 * BORDER
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg[0])[1]
    modules = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                modules[int(y - 0.5) - BORDER][int(x) + i - BORDER] = True
            x += float(a)
    return modules


def pdf_pages(content: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(content)).pages)


def page_modules(page: pypdf.PageObject) -> list[list[bool]]:
    """The modules of the QR code drawn on one page of a poster PDF: the image the page draws (`/name Do`),
    a pixel a module, its quiet zone cut off."""
    names = re.findall(rb"/(\S+) Do", page.get_contents().get_data())
    assert len(names) == 1, names
    image = page.images["/" + names[0].decode()].image.convert("L")
    size = image.width - 2 * BORDER
    return [[image.getpixel((BORDER + x, BORDER + y)) < 128 for x in range(size)] for y in range(size)]


def embedded_fonts(page: pypdf.PageObject) -> set[str]:
    """The fonts a page uses whose glyphs are in the file (a FontFile of the descriptor)."""
    found = set()
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
            descriptor = part.get("/FontDescriptor")
            if descriptor is not None and any(k in descriptor.get_object() for k in
                                              ("/FontFile", "/FontFile2", "/FontFile3")):
                found.add(str(font["/BaseFont"]))
    return found


def text(page: pypdf.PageObject) -> str:
    return page.extract_text()

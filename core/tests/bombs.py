"""Image bombs for the photo tests: a PNG of many pixels in a small file, made without holding its pixels, and
the peak memory a call takes."""

import re
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A valid black RGB PNG of width × height pixels: 7000 × 7000 is ~150 KB on disk, 196 MB decoded."""
    row = bytes(1 + 3 * width)  # filter byte 0, then black pixels
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.M).group(1))


def peak_growth_mb(call) -> tuple[float, float, object]:
    """(RSS before in MB, the peak RSS during `call()` minus that, what `call` returned or raised).

    The peak, not the RSS after: a decoded image is freed (and its pages given back) before the call returns.
    Writing 5 to /proc/self/clear_refs resets the peak (VmHWM) to the present RSS (Linux)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status_kb("VmRSS")
    try:
        outcome = call()
    except Exception as error:  # the refusal is what the tests look at
        outcome = error
    return before / 1024, (_status_kb("VmHWM") - before) / 1024, outcome

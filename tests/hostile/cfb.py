"""Contenedor OLE/CFB mínimo (versión 3) escrito a mano, para el corpus hostil.

Sirve de respaldo cuando msoffcrypto-tool no está instalado: un «libro cifrado» es un
CFB con los flujos ``EncryptionInfo`` y ``EncryptedPackage``; un .xls, uno con
``Workbook``. Cada flujo se rellena a 4096 bytes para no necesitar el mini-flujo.
"""

from __future__ import annotations

import struct

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00"
    return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", NOSTREAM, right, child) + b"\x00" * 16 + b"\x00" * 4
            + b"\x00" * 16 + struct.pack("<IQ", start, size))


def build(streams: dict[str, bytes]) -> bytes:
    """Un CFB con los flujos dados (a lo más 3; nombres ordenados por longitud)."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    assert len(names) <= 3
    data_sectors: list[bytes] = []
    starts: list[int] = []
    fat = [FATSECT, ENDOFCHAIN]
    for name in names:
        body = streams[name].ljust(4096, b"\x00")
        body = body.ljust(-(-len(body) // SECTOR) * SECTOR, b"\x00")
        first = 2 + len(data_sectors)
        count = len(body) // SECTOR
        starts.append(first)
        fat.extend([*range(first + 1, first + count), ENDOFCHAIN])
        data_sectors.extend(body[i:i + SECTOR] for i in range(0, len(body), SECTOR))
    assert len(fat) <= SECTOR // 4
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(SECTOR, b"\xff")
    entries = [_entry("Root Entry", 5, 1 if names else NOSTREAM, NOSTREAM, ENDOFCHAIN, 0)]
    for i, name in enumerate(names, start=1):
        right = i + 1 if i < len(names) else NOSTREAM
        entries.append(_entry(name, 2, NOSTREAM, right, starts[i - 1],
                              len(streams[name].ljust(4096, b"\x00"))))
    directory = b"".join(entries)
    directory += (b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0)
                  + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + b"\x00" * 52
                  ) * (4 - len(entries))
    header = (MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<I", 0) + b"\xff" * (108 * 4))
    assert len(header) == SECTOR
    return header + fat_sector + directory + b"".join(data_sectors)


def encrypted_workbook() -> bytes:
    """Un «libro cifrado» sin cifrado real (solo la forma del contenedor)."""
    return build({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                  "EncryptedPackage": b"\x00" * 64})


def legacy_xls() -> bytes:
    """Un «.xls» de Excel 97-2003: un CFB con el flujo «Workbook» (registro BOF BIFF8)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0, 0, 0)
    return build({"Workbook": bof})

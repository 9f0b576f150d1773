"""A small compound file (OLE2 / CFB v3) writer for the test generators.

Python standard library only.  Storages nest, streams shorter than 4096
bytes go to the mini stream as the format requires, so every stream keeps
its exact size (libgsf, LibreOffice and Word read the result).

    cfb_build({"WordDocument": b"...", "ObjectPool": {"_1": {"\\x01Ole": b"..."}}})

A dict is a storage, bytes a stream.  Sibling trees are written as a
right-leaning chain (readers only walk them; the red-black colours are
not checked by any reader we test with).
"""
import struct

END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096


def _sort_key(name):
    return (len(name), name.upper())


def _flatten(tree):
    """Directory entries in pre-order: [name, type, children-idx, data]."""
    entries = [["Root Entry", 5, [], None]]

    def walk(node, parent):
        for name in sorted(node, key=_sort_key):
            val = node[name]
            idx = len(entries)
            if isinstance(val, dict):
                entries.append([name, 1, [], None])
                entries[parent][2].append(idx)
                walk(val, idx)
            else:
                entries.append([name, 2, [], bytes(val)])
                entries[parent][2].append(idx)
    walk(tree, 0)
    return entries


def _chain(fat, first, count):
    for i in range(count):
        fat[first + i] = first + i + 1 if i + 1 < count else END


def cfb_build(tree):
    entries = _flatten(tree)
    mini_data, mini_fat = bytearray(), []
    starts, sizes = {}, {}
    big = []  # (entry index, data)
    for idx, e in enumerate(entries):
        if e[1] != 2:
            continue
        data = e[3]
        sizes[idx] = len(data)
        if len(data) == 0:
            starts[idx] = END
        elif len(data) < CUTOFF:
            first = len(mini_data) // MINI
            n = -(-len(data) // MINI)
            mini_data += data + b"\0" * (n * MINI - len(data))
            mini_fat += [first + i + 1 if i + 1 < n else END for i in range(n)]
            starts[idx] = first
        else:
            big.append((idx, data))
    n_dir = -(-len(entries) // 4)
    n_minifat = -(-len(mini_fat) // 128) if mini_fat else 0
    n_ministream = -(-len(mini_data) // SECTOR)
    n_big = sum(-(-len(d) // SECTOR) for _, d in big)
    body = n_dir + n_minifat + n_ministream + n_big
    n_fat = 1
    while n_fat * 128 < body + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("file too large for this writer")
    total = n_fat + body
    fat = [FREE] * (n_fat * 128)
    for i in range(n_fat):
        fat[i] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else END
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    ministream_start = pos if n_ministream else END
    _chain(fat, pos, n_ministream)
    pos += n_ministream
    sectors = []
    for idx, data in big:
        n = -(-len(data) // SECTOR)
        starts[idx] = pos
        _chain(fat, pos, n)
        pos += n
        sectors.append(data + b"\0" * (n * SECTOR - len(data)))
    assert pos == total

    def dirent(idx):
        name, typ, children, _ = entries[idx]
        raw = name.encode("utf-16-le") + b"\0\0"
        child = NOSTREAM
        if children:
            child = children[0]
        right = NOSTREAM
        # siblings: the parent's children form a right-leaning chain
        for e in entries:
            if idx in e[2]:
                sib = e[2]
                k = sib.index(idx)
                right = sib[k + 1] if k + 1 < len(sib) else NOSTREAM
        if typ == 5:
            start, size = ministream_start, len(mini_data)
        elif typ == 2:
            start, size = starts[idx], sizes[idx]
        else:
            start, size = 0, 0
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), typ, 1) +
                struct.pack("<III", NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4 +
                b"\0" * 16 + struct.pack("<II", start, size) + b"\0" * 4)
    dirs = b"".join(dirent(i) for i in range(len(entries)))
    dirs += b"\0" * (n_dir * SECTOR - len(dirs))
    mf = struct.pack("<%dI" % len(mini_fat), *mini_fat) if mini_fat else b""
    mf += struct.pack("<I", FREE) * (n_minifat * 128 - len(mini_fat))
    ms = bytes(mini_data) + b"\0" * (n_ministream * SECTOR - len(mini_data))
    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16 +
              struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6 +
              struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, CUTOFF, minifat_start, n_minifat, END, 0) +
              struct.pack("<109I", *difat))
    return header + struct.pack("<%dI" % len(fat), *fat) + dirs + mf + ms + b"".join(sectors)

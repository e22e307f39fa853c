#!/usr/bin/env python3
"""Builds the initramfs: a cpio "newc" archive from (guest path, host file) pairs.

usage: mkinitramfs.py OUTPUT [--extra GUEST=HOST]... GUEST HOST [GUEST HOST]...

Parent directories are created automatically (mode 0755). Files keep their host
permission bits; executables stay executable. Deterministic: sorted, fixed mtime 0."""
import os
import stat
import sys


def header(ino, mode, size, name, nlink=1):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    return ("070701" + "".join(f"{v:08x}" for v in fields)).encode()


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def main():
    out = sys.argv[1]
    args = sys.argv[2:]
    entries = {}
    i = 0
    while i < len(args):
        if args[i] == "--extra":
            guest, host = args[i + 1].split("=", 1)
            entries[guest] = host
            i += 2
            continue
        entries[args[i]] = args[i + 1]
        i += 2
    dirs = set()
    for guest in entries:
        parts = guest.strip("/").split("/")[:-1]
        for k in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:k]))
    dirs.update(["dev", "proc", "sys", "tmp", "root", "etc"])
    data = bytearray()
    ino = 1

    def emit(name, mode, payload=b""):
        nonlocal ino, data
        encoded = name.encode()
        h = header(ino, mode, len(payload), encoded)
        data += h + encoded + b"\0"
        data += pad(len(h) + len(encoded) + 1)
        data += payload + pad(len(payload))
        ino += 1

    for d in sorted(dirs):
        emit(d, stat.S_IFDIR | (0o1777 if d == "tmp" else 0o755))
    for guest in sorted(entries):
        host = entries[guest]
        with open(host, "rb") as f:
            payload = f.read()
        perm = os.stat(host).st_mode & 0o777
        emit(guest.lstrip("/"), stat.S_IFREG | perm, payload)
    emit("TRAILER!!!", 0)
    data += b"\0" * ((512 - len(data) % 512) % 512)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a namespace label area (formats 1.1 and 1.2) from a JSON spec.

Written from the label format libnvdimm reads (two index blocks, then the
label slots; Fletcher-64 checksums), independently of ocxlfs's decoder, so
that tests/harness/t_labels.sh can hand ndctl write-labels an area with
namespaces in it.  Usage: label_area.py SPEC.json OUT

SPEC: {"size": bytes, "version": "1.1"|"1.2",
       "index": [{"seq": S, "used": [slot, ...]}, {"seq": S, "used": [...]}],
       "labels": [{"slot": N, "uuid": "...", "name": "...", "flags": F,
                   "nlabel": N, "position": P, "isetcookie": C, "lbasize": L,
                   "dpa": D, "rawsize": R, "type_guid": "...",
                   "abstraction_guid": "...", "align": A, "slot_field": N}]}
A label's slot field is its slot unless "slot_field" says otherwise.
"""
import json
import struct
import sys
import uuid

ALIGN = 256
FIXED = 72


def fletcher64(data):
    lo = hi = 0
    for (word,) in struct.iter_unpack("<I", data[: len(data) // 4 * 4]):
        lo = (lo + word) & 0xFFFFFFFF
        hi = (hi + lo) & 0xFFFFFFFFFFFFFFFF
    return ((hi << 32) | lo) & 0xFFFFFFFFFFFFFFFF


def index_bytes(nslot):
    return -(-(FIXED + -(-nslot // 8)) // ALIGN) * ALIGN


def geometry(size, label_size):
    """libnvdimm's index size and slot count for this label size."""
    first = index_bytes(size // label_size)
    nslot = (size - 2 * first) // label_size
    return index_bytes(nslot), nslot


def index_block(i, isz, nslot, label_size, minor, seq, used):
    free = bytearray(isz - FIXED)
    for s in range(nslot):
        if s not in used:
            free[s // 8] |= 1 << (s % 8)
    head = struct.pack("<16s3sBIQQQQIHHQ", b"NAMESPACE_INDEX\0", b"\0\0\0",
                       0 if label_size == 128 else 1, seq, i * isz, isz,
                       (1 - i) * isz, 2 * isz, nslot, 1, minor, 0)
    block = bytearray(head + free)
    struct.pack_into("<Q", block, 64, fletcher64(block))
    return block


def label(spec, label_size):
    name = spec.get("name", "").encode()
    body = struct.pack("<16s64sIHHQQQQI", uuid.UUID(spec["uuid"]).bytes,
                       name, spec.get("flags", 0), spec.get("nlabel", 1),
                       spec.get("position", 0), spec.get("isetcookie", 0),
                       spec.get("lbasize", 0), spec.get("dpa", 0),
                       spec.get("rawsize", 0),
                       spec.get("slot_field", spec["slot"]))
    if label_size == 128:
        return body + b"\0" * 4  # the unused word after the slot
    tail = struct.pack("<B3s16s16s88sQ", spec.get("align", 0), b"\0\0\0",
                       uuid.UUID(spec.get("type_guid", str(uuid.UUID(int=0)))).bytes,
                       uuid.UUID(spec.get("abstraction_guid", str(uuid.UUID(int=0)))).bytes,
                       b"\0" * 88, 0)
    lab = bytearray(body + tail)
    struct.pack_into("<Q", lab, 248, fletcher64(lab))
    return lab


def main():
    spec = json.load(open(sys.argv[1]))
    size = spec["size"]
    label_size = 128 if spec["version"] == "1.1" else 256
    minor = 1 if label_size == 128 else 2
    isz, nslot = geometry(size, label_size)
    area = bytearray(size)
    for i, ix in enumerate(spec["index"]):
        area[i * isz:(i + 1) * isz] = index_block(i, isz, nslot, label_size, minor,
                                                  ix["seq"], set(ix["used"]))
    for lab in spec.get("labels", []):
        off = 2 * isz + lab["slot"] * label_size
        area[off:off + label_size] = label(lab, label_size)
    assert len(area) == size
    open(sys.argv[2], "wb").write(area)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Content digest of ecgforest output files, for the outputs-unchanged test.

Usage: output_digest.py ROOT FILE...   prints "<sha256>  <file relative to ROOT>" per file.

HDF5 files: every dataset (dtype, shape, values) and every attribute, walked in sorted name order,
except what differs between two identical runs: the attribute "created" (a timestamp), "version"
(the build), and the timings in the JSON of "metrics" (keys ending in "seconds" or "_s_wall").
Text files (JSON, annotations, CSV): the bytes, except JSON timing keys as above. Every string has
ROOT replaced by "<ROOT>", so runs in different folders compare equal. Independent of the program:
it reads the files with h5py/json only."""
import hashlib, json, sys
import h5py, numpy as np

ROOT = sys.argv[1].rstrip("/")
VOLATILE_ATTRS = {"created", "version"}


def norm_text(s):
    return s.replace(ROOT, "<ROOT>")


def drop_timings(obj):
    if isinstance(obj, dict):
        return {k: drop_timings(v) for k, v in obj.items()
                if not (k.endswith("seconds") or k.endswith("_s_wall") or k in ("timing", "timings"))}
    if isinstance(obj, list):
        return [drop_timings(v) for v in obj]
    return obj


def norm_value(v):
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if isinstance(v, str):
        t = norm_text(v)
        if t[:1] in "{[":
            try:
                return json.dumps(drop_timings(json.loads(t)), sort_keys=True)
            except ValueError:
                pass
        return t
    a = np.asarray(v)
    if a.dtype.names:  # compound (e.g. /records): field by field (string fields hold pointers)
        return "".join(f"{n}:{norm_value(a[n])};" for n in a.dtype.names)
    if a.dtype.kind in "OSU":
        return repr([norm_value(x) for x in a.ravel().tolist()])
    return a.dtype.str + repr(a.shape) + a.tobytes().hex()


def digest_h5(path, h):
    with h5py.File(path, "r") as f:
        def attrs(name, obj):
            for k in sorted(obj.attrs.keys()):
                if k in VOLATILE_ATTRS:
                    continue
                h.update(f"attr {name} {k} = {norm_value(obj.attrs[k])}\n".encode())

        def visit(name, obj):
            attrs(name, obj)
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                h.update(f"data {name} {obj.dtype.str} {obj.shape}\n".encode())
                h.update(norm_value(data).encode())
        attrs("/", f)
        names = []
        f.visit(names.append)
        for n in sorted(names):
            visit(n, f[n])


def main():
    for path in sys.argv[2:]:
        h = hashlib.sha256()
        if h5py.is_hdf5(path):
            digest_h5(path, h)
        else:
            text = open(path, encoding="utf-8", errors="replace").read()
            if path.endswith(".json"):
                text = json.dumps(drop_timings(json.loads(norm_text(text))), sort_keys=True)
            h.update(norm_text(text).encode())
        rel = path[len(ROOT) + 1:] if path.startswith(ROOT + "/") else path
        print(f"{h.hexdigest()}  {rel}")


main()

"""Write small EDF/EDF+ files byte by byte (independently of EDFlib) for the end-to-end tests,
including deliberately broken ones. Only numpy is needed."""
import numpy as np


def _field(text, width):
    b = text.encode("latin-1") if isinstance(text, str) else bytes(text)
    return b[:width].ljust(width, b" ")


def write_edf(path, signals, n_records, record_s=1.0, plus=None, start=("01.01.20", "10.00.00"),
              header_bytes_override=None, annotations_onsets=None):
    """signals: list of dicts with label, fs (samples per record), data (physical, len n_records*fs),
    phys_min, phys_max, dig_min, dig_max, unit. plus: None (EDF), 'C' or 'D' (EDF+ with an
    annotation signal; annotations_onsets gives each record's onset in seconds for EDF+D)."""
    sigs = list(signals)
    if plus:
        sigs.append({"label": "EDF Annotations", "fs": 30, "data": None, "phys_min": -1, "phys_max": 1,
                     "dig_min": -32768, "dig_max": 32767, "unit": ""})
    ns = len(sigs)
    hdr = bytearray()
    hdr += _field("0", 8)
    if plus:
        hdr += _field("X X X X", 80)
        hdr += _field("Startdate 01-JAN-2020 X X X", 80)
    else:
        hdr += _field("crafted", 80)
        hdr += _field("crafted", 80)
    hdr += _field(start[0], 8) + _field(start[1], 8)
    hb = 256 * (ns + 1) if header_bytes_override is None else header_bytes_override
    hdr += _field(str(hb), 8)
    hdr += _field("EDF+" + plus if plus else "", 44)
    hdr += _field(str(n_records), 8) + _field(f"{record_s:g}", 8) + _field(str(ns), 4)
    for key, w in (("label", 16), ("transducer", 80), ("unit", 8), ("phys_min", 8), ("phys_max", 8),
                   ("dig_min", 8), ("dig_max", 8), ("prefilter", 80), ("fs", 8), ("reserved", 32)):
        for s in sigs:
            v = s.get(key, "")
            if isinstance(v, float):
                v = f"{v:g}"
            hdr += _field(v if isinstance(v, (bytes, bytearray)) else str(v), w)
    assert len(hdr) == 256 * (ns + 1)
    out = bytearray(hdr)
    for r in range(n_records):
        for s in sigs:
            n = int(s["fs"])
            if s["data"] is None:  # TAL: "+onset\x14\x14\x00" padded
                onset = annotations_onsets[r] if annotations_onsets else r * record_s
                tal = f"+{onset:g}".encode() + b"\x14\x14\x00"
                out += tal.ljust(2 * n, b"\x00")
                continue
            x = np.asarray(s["data"][r * n:(r + 1) * n], dtype=float)
            pmin, pmax, dmin, dmax = (float(s[k]) for k in ("phys_min", "phys_max", "dig_min", "dig_max"))
            scale = (dmax - dmin) / (pmax - pmin) if pmax != pmin else 1.0
            d = np.clip(np.round((x - pmin) * scale + dmin), -32768, 32767).astype("<i2")
            out += d.tobytes()
    with open(path, "wb") as f:
        f.write(out)


def ecg_like(fs, seconds, hr_bpm=70.0, amp=1000.0, seed=0):
    """A crude ECG: narrow Gaussian R waves at a fixed rate plus a little noise (µV)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(fs * seconds)) / fs
    x = np.zeros_like(t)
    rr = 60.0 / hr_bpm
    for b in np.arange(0.3, seconds, rr):
        x += amp * np.exp(-0.5 * ((t - b) / 0.012) ** 2)
    return x + rng.normal(0, 10, size=t.size)


def signal(label, fs, data, unit="uV", lim=5000):
    return {"label": label, "fs": fs, "data": data, "phys_min": -lim, "phys_max": lim,
            "dig_min": -32768, "dig_max": 32767, "unit": unit}

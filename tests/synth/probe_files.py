"""Hand-made features files for the clinical probes' tests (one recording "rec" of patient p1)."""
import h5py
import numpy as np

REC = [("path", h5py.string_dtype()), ("patient", h5py.string_dtype()), ("duration_s", "<f8")]


def write_features(path, columns, x, duration, refs):
    """A features file: windows ending at 1, 2, ... s with the rows x, and the reference seizures refs."""
    t = np.arange(1.0, duration + 1.0)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("windows/features", data=x)
        d.attrs["columns"] = np.array([c.encode() for c in columns])
        f.create_dataset("windows/record", data=np.zeros(t.size, dtype=np.uint32))
        f.create_dataset("windows/time_s", data=t)
        f.create_dataset("records", data=np.array([("rec", "p1", duration)], dtype=REC))
        f.create_dataset("reference/record", data=np.zeros(len(refs), dtype=np.uint32))
        f.create_dataset("reference/start_s", data=np.array([a for a, _ in refs], dtype=np.float64))
        f.create_dataset("reference/stop_s", data=np.array([b for _, b in refs], dtype=np.float64))

# Generates the weights files, FIFOs and suite directory of docs/limits-table.md
# (run in /tmp/lh with /usr/bin/python3, which has numpy).
import zipfile, zlib, io, numpy as np, os
def npy(shape, body=b"\0"*8, descr="'<f8'", order=None):
    d = "{'descr': %s, 'fortran_order': False, 'shape': %s, }" % (descr, shape) if order is None else order
    pad = 63 - (10 + len(d)) % 64
    h = d + " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode() + body
w2 = npy("(1, 3)", b"\0" * 24)
def z(name, members, comp=zipfile.ZIP_STORED):
    with zipfile.ZipFile(name, "w", compression=comp) as f:
        for n, b in members:
            f.writestr(n, b)
z("huge.npz", [("W1.npy", npy("(1000000, 1000000)")), ("W2.npy", w2)])
z("long.npz", [("W1.npy", npy("(100000000, 2)")), ("W2.npy", w2)])
# a real zip bomb: W1.npy = header of (134217728,) float64 = 1 GiB of zeros, deflated
with zipfile.ZipFile("bomb.npz", "w", compression=zipfile.ZIP_DEFLATED) as f:
    with f.open("W1.npy", "w", force_zip64=True) as w:
        w.write(npy("(134217728,)", b""))
        chunk = b"\0" * (1 << 20)
        for _ in range(1024):
            w.write(chunk)
    f.writestr("W2.npy", w2)
# a bomb within the per-array limit: 100 MiB of zeros (13107200 float64) in a ~100 KB file
with zipfile.ZipFile("bomb100.npz", "w", compression=zipfile.ZIP_DEFLATED) as f:
    with f.open("W1.npy", "w") as w:
        w.write(npy("(3276800, 4)", b""))
        chunk = b"\0" * (1 << 20)
        for _ in range(100):
            w.write(chunk)
    f.writestr("W2.npy", npy("(1, 3276800)", b"\0"*8*3276800))
z("reorder.npz", [("W1.npy", npy(None, b"\0"*16, order="{'shape': (2, 1), 'fortran_order': False, 'descr': '<f8'}")), ("W2.npy", npy("(1, 2)", b"\0"*16))])
z("empty-shape.npz", [("W1.npy", npy("()")), ("W2.npy", w2)])

for f in sorted(os.listdir(".")):
    if f.endswith(".npz") and f != "fifo.npz": print(f, os.path.getsize(f))
import json
# the case the weights go with: d = 3 (no bias), k = 1, no neurons
json.dump({"name":"w","activation":"relu","inputs":[["1","0","0"],["0","1","0"],["0","0","1"]],"targets":[["1"],["2"],["3"]]}, open("wcase.json","w"))
os.mkfifo("fifo.npz")
os.mkfifo("fifo.json")
os.makedirs("suitedir", exist_ok=True)
import shutil; shutil.copy("/work/main/cases/catalogue/s2-gradient-fail.json", "suitedir/a.json")
os.mkfifo("suitedir/b.json")

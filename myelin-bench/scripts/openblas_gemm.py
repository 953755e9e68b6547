#!/usr/bin/python3
"""OpenBLAS (numpy) SGEMM GFLOPS on Myelin's bench shapes, M x N x K, variants nn / tn (A stored KxM, A.T view)
/ nt (B stored NxK, B.T view). Same method as gemm_py.py: warm-up >= 1 s, 5 chunks of ~1 s, median.
Run: OPENBLAS_NUM_THREADS=t /usr/bin/python3 myelin-bench/scripts/openblas_gemm.py [--quick] [--ops nn,tn,nt] [MxNxK ...] > out.json
(shapes: any MxNxK, or N for N x N x N; default the list below. --quick: 0.5 s warm-up and 5 chunks of 0.2 s, like
`bench gemm --quick`)
(next to `./myelin bench gemm --json`; both under `flock /tmp/cpu.lock`)"""
import json, statistics, sys, time, os
# The OpenMP build of OpenBLAS (libopenblas0-openmp, what PyTorch loads) reads OMP_NUM_THREADS, not OPENBLAS_NUM_THREADS:
# without this a "1 thread" run of it used both cores. Set before numpy loads the library.
if os.environ.get("OPENBLAS_NUM_THREADS") and not os.environ.get("OMP_NUM_THREADS"):
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"]
import numpy as np
SHAPES = [(256,256,256),(512,512,512),(1024,1024,1024),(2048,2048,2048),(32,64,784),(128,128,800),(21632,32,9),(3872,64,288)]
args = sys.argv[1:]
QUICK = "--quick" in args
args = [a for a in args if a != "--quick"]
OPS = ("nn", "tn", "nt")
if "--ops" in args:
    i = args.index("--ops"); OPS = tuple(args[i + 1].split(",")); del args[i:i + 2]
WARMUP, CHUNK = (0.5, 0.2) if QUICK else (1.0, 1.0)
def bench(fn, flop):
    t0 = time.perf_counter(); n = 0
    while n < 3 or time.perf_counter() - t0 < WARMUP:
        fn(); n += 1
    per = (time.perf_counter() - t0) / n
    reps = max(1, int(round(CHUNK / per)))
    rates = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps): fn()
        rates.append(reps * flop / (time.perf_counter() - t) / 1e9)
    return statistics.median(rates), rates
rng = np.random.default_rng(0)
rows = []
def parse(t):
    p = [int(x) for x in t.lower().split("x")]
    return (p[0], p[0], p[0]) if len(p) == 1 else tuple(p)
for m, n, k in ([parse(a) for a in args] or SHAPES):
    for v in OPS:
        A = rng.random((k, m) if v == "tn" else (m, k), dtype=np.float32)
        B = rng.random((n, k) if v == "nt" else (k, n), dtype=np.float32)
        Aop = A.T if v == "tn" else A
        Bop = B.T if v == "nt" else B
        C = np.empty((m, n), dtype=np.float32)
        fn = lambda: np.matmul(Aop, Bop, out=C)
        g, r = bench(fn, 2.0 * m * n * k)
        rows.append({"M": m, "N": n, "K": k, "op": v, "gflops": g, "chunk_gflops": r})
        print(f"[openblas] {m}x{n}x{k} {v} t={os.environ.get('OPENBLAS_NUM_THREADS')}: {g:.1f}", file=sys.stderr)
print(json.dumps({"lib": "numpy-openblas", "threads": os.environ.get("OPENBLAS_NUM_THREADS"), "rows": rows}))

#!/usr/bin/python3
"""OpenBLAS (numpy) SGEMM GFLOPS on Myelin's bench shapes, M x N x K, variants nn / tn (A stored KxM, A.T view)
/ nt (B stored NxK, B.T view). Same method as gemm_py.py: warm-up >= 1 s, 5 chunks of ~1 s, median.
Run: OPENBLAS_NUM_THREADS=t /usr/bin/python3 myelin-bench/scripts/openblas_gemm.py [MxNxK ...] > out.json
(next to `./myelin bench gemm --json`; both under `flock /tmp/cpu.lock`)"""
import json, statistics, sys, time, os
import numpy as np
SHAPES = [(256,256,256),(512,512,512),(1024,1024,1024),(2048,2048,2048),(32,64,784),(128,128,800),(21632,32,9),(3872,64,288)]
def bench(fn, flop):
    t0 = time.perf_counter(); n = 0
    while n < 3 or time.perf_counter() - t0 < 1.0:
        fn(); n += 1
    per = (time.perf_counter() - t0) / n
    reps = max(1, int(round(1.0 / per)))
    rates = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps): fn()
        rates.append(reps * flop / (time.perf_counter() - t) / 1e9)
    return statistics.median(rates), rates
rng = np.random.default_rng(0)
rows = []
only = sys.argv[1:]  # optional filter like 2048x2048x2048
for m, n, k in SHAPES:
    if only and f"{m}x{n}x{k}" not in only: continue
    for v in ("nn", "tn", "nt"):
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

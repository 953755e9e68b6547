#!/usr/bin/python3
"""PyTorch twin of dev.myelin.bench.AttentionBench: the same rows, labels and protocol.

Usage (Debian's python3-torch 1.13, OpenBLAS's OpenMP build, 2 threads, under the machine's lock):
  flock /tmp/cpu.lock env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 myelin-bench/scripts/torch_attention.py [--threads 2] [--case PREFIX] [--json] [--list]

Rows "encoder B<batch> T<length> d128 h4 ff512" (every --batch x --seq, default 32 x 128, 512):
torch.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0, relu, layer_norm_eps=1e-5,
batch_first, post-norm) on x [B, T, 128] uniform in [-1, 1) requiring grad, as Myelin's TransformerEncoder.
With --kernels also rows "attention[ causal] B<batch> H<heads> T<length> D<head size>": q, k, v [B, H, T, D] uniform in [-1, 1)
requiring grad; torch 1.13 has no F.scaled_dot_product_attention, so the pass is the formula composed, as
Myelin's "composed" path: softmax((q * scale) @ k^T + bias) @ v with scale 1/sqrt(D) and, for causal rows,
bias -1e9 above the diagonal. Forward with autograd recording; forward + backward is y.sum().backward(),
then every .grad set to None. "alloc MB/pass" is the CPU memory the autograd profiler saw allocated
during one forward + backward (sum of the positive self allocations of every op).

Protocol (ConvBench.time): warm-up >= --warmup s and >= 5 passes; a probe of ~0.05 s sets the passes
per chunk (~--chunk s); --chunks timed chunks; the median chunk's ms per pass, with min and max.
--memory skips the timing: three passes, then one profiled pass, and the process's peak RSS
(resource.getrusage ru_maxrss); run one process per sequence length.
"""
import resource
import argparse
import json
import math
import statistics
import time

import torch

ROWS = [(32, 4, 128, 32, False), (32, 4, 512, 32, False),
        (1, 4, 256, 32, False), (1, 4, 512, 32, False), (1, 4, 1024, 32, False), (1, 4, 2048, 32, False),
        (1, 4, 2048, 32, True)]


def name(b, h, t, d, causal):
    return "attention%s B%d H%d T%d D%d" % (" causal" if causal else "", b, h, t, d)


def time_op(op, warmup_s, chunks, chunk_s):
    """ConvBench.time: per-operation ms as (median, min, max)."""
    warm_end = time.perf_counter() + warmup_s
    warm_start = time.perf_counter()
    n = 0
    while True:
        op()
        n += 1
        if time.perf_counter() >= warm_end and n >= 5:
            break
    per_op = (time.perf_counter() - warm_start) / n
    probe = max(1, int(min(1000, 0.05 / max(per_op, 1e-7))))
    t0 = time.perf_counter()
    for _ in range(probe):
        op()
    per_op = (time.perf_counter() - t0) / probe
    iters = max(1, int(round(chunk_s / per_op)))
    ms = []
    for _ in range(chunks):
        t = time.perf_counter()
        for _ in range(iters):
            op()
        ms.append((time.perf_counter() - t) * 1e3 / iters)
    return {"median": statistics.median(ms), "min": min(ms), "max": max(ms)}


WIDTH, HEADS, FEED_FORWARD = 128, 4, 512


def encoder_name(b, t):
    return "encoder B%d T%d d%d h%d ff%d" % (b, t, WIDTH, HEADS, FEED_FORWARD)


def make_encoder(b, t):
    torch.manual_seed(42)
    layer = torch.nn.TransformerEncoderLayer(WIDTH, HEADS, dim_feedforward=FEED_FORWARD, dropout=0.0, activation="relu",
                                             layer_norm_eps=1e-5, batch_first=True, norm_first=False)
    layer.train()
    g = torch.Generator().manual_seed(42)
    x = torch.rand(b, t, WIDTH, generator=g).mul_(2).sub_(1).requires_grad_()

    def forward():
        return layer(x)

    def forward_backward():
        layer(x).sum().backward()
        x.grad = None
        for p in layer.parameters():
            p.grad = None

    return forward, forward_backward


def make(b, h, t, d, causal):
    g = torch.Generator().manual_seed(42)
    q, k, v = (torch.rand(b, h, t, d, generator=g).mul_(2).sub_(1).requires_grad_() for _ in range(3))
    scale = 1 / math.sqrt(d)
    bias = torch.triu(torch.full((t, t), -1e9), diagonal=1) if causal else None

    def forward():
        s = (q * scale) @ k.transpose(-2, -1)
        if bias is not None:
            s = s + bias
        return torch.softmax(s, dim=-1) @ v

    def forward_backward():
        forward().sum().backward()
        q.grad = k.grad = v.grad = None

    return forward, forward_backward


def allocated_mb(op):
    with torch.autograd.profiler.profile(profile_memory=True) as prof:
        op()
    return sum(max(e.self_cpu_memory_usage, 0) for e in prof.function_events) / 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seq", default="128,512", help="encoder sequence lengths, comma-separated (default 128,512)")
    ap.add_argument("--batch", default="32", help="encoder batch sizes, comma-separated (default 32)")
    ap.add_argument("--kernels", action="store_true", help="also the attention kernel rows (the formula composed)")
    ap.add_argument("--memory", action="store_true", help="no timing: MB allocated by one pass and the peak RSS")
    ap.add_argument("--threads", default="2", help="thread counts, comma-separated (default 2)")
    ap.add_argument("--case", help="only the rows whose label starts with PREFIX")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--chunks", type=int, default=5)
    ap.add_argument("--chunk", type=float, default=0.2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--list", action="store_true", help="print the row labels and exit")
    a = ap.parse_args()
    cases = []
    for b in [int(v) for v in a.batch.split(",")]:
        for t in [int(v) for v in a.seq.split(",")]:
            cases.append((encoder_name(b, t), b, lambda b=b, t=t: make_encoder(b, t)))
    if a.kernels:
        cases += [(name(*r), r[0], lambda r=r: make(*r)) for r in ROWS]
    cases = [c for c in cases if a.case is None or c[0].startswith(a.case)]
    if a.list:
        for c in cases:
            print(c[0])
        return
    results = []
    if not a.json:
        if a.memory:
            print("%-36s %-9s %7s %14s %12s" % ("case", "path", "threads", "alloc MB/pass", "peak RSS MB"))
        else:
            print("%-36s %-9s %7s %12s %12s %12s %12s %14s" % ("case", "path", "threads", "forward ms", "fwd+bwd ms",
                                                             "fwd samp/s", "f+b samp/s", "alloc MB/pass"))
    for label, batch, setup in cases:
        forward, forward_backward = setup()
        for t in [int(x) for x in a.threads.split(",")]:
            torch.set_num_threads(t)
            if a.memory:
                for _ in range(3):
                    forward_backward()
                mb = allocated_mb(forward_backward)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                results.append({"case": label, "path": "torch", "threads": t, "allocated_mb": mb, "peak_rss_mb": rss})
                if not a.json:
                    print("%-36s %-9s %7d %14.1f %12.1f" % (label, "torch", t, mb, rss))
                continue
            fwd = time_op(forward, a.warmup, a.chunks, a.chunk)
            both = time_op(forward_backward, a.warmup, a.chunks, a.chunk)
            mb = allocated_mb(forward_backward)
            fr, br = batch * 1e3 / fwd["median"], batch * 1e3 / both["median"]
            results.append({"case": label, "path": "torch", "threads": t, "forward_ms": fwd, "forward_backward_ms": both,
                            "forward_samples_per_s": fr, "forward_backward_samples_per_s": br, "allocated_mb": mb})
            if not a.json:
                print("%-36s %-9s %7d %12.3f %12.3f %12.1f %12.1f %14.1f" % (label, "torch", t, fwd["median"], both["median"],
                                                                         fr, br, mb))
    if a.json:
        print(json.dumps({"benchmark": "attention", "peer": "pytorch", "version": torch.__version__, "results": results}, indent=1))


if __name__ == "__main__":
    main()

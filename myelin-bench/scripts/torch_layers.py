#!/usr/bin/python3
"""PyTorch twin of `myelin bench layers` (dev.myelin.bench.LayerBench): the same rows, labels and protocol.

Usage (Debian's python3-torch, OpenBLAS's OpenMP build, 2 threads, under the machine's lock):
  flock /tmp/cpu.lock env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 myelin-bench/scripts/torch_layers.py [--threads 2] [--case PREFIX] [--json] [--list]

Rows (labels as in LayerCases.java; shapes without the batch, in Myelin's channels-last order HxWxC):
each layer's forward pass (module in train mode, or eval for "infer" rows, with autograd recording as in
Myelin's call(x, training)), and forward + backward (y.sum().backward(), then every .grad set to None).
The input requires grad except for first convolutions (1 or 3 channels) and embedding ids. Image rows run
in NCHW and in channels_last; each column reports the faster of the two (its "layout" says which).
The loss row is F.cross_entropy on logits (Keras's softmax + sparse categorical cross-entropy), the
optimizer rows one opt.step() over a 784-1024-256-10 MLP's weights with fixed gradients, Keras's
defaults (Adam eps 1e-7, RMSprop rho 0.9, Adagrad initial accumulator 0.1, AdamW weight decay 0.004).

Protocol (ConvBench.time): warm-up >= --warmup s and >= 5 passes; a probe of ~0.05 s sets the passes
per chunk (~--chunk s); --chunks timed chunks; the median chunk's ms per pass, with min and max.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

OPTIMIZER_MODEL = [(1024, 784), (1024,), (256, 1024), (256,), (10, 256), (10,)]  # 1,068,810 weights


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


class LastStep(nn.Module):
    """A recurrent layer's last output, as Keras's return_sequences=False."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0][:, -1]


class Row:
    """A layer (or the loss) applied to a fixed input; image rows may switch to channels_last."""

    def __init__(self, make, shape, training=True, input_grad=True, ids=0, image=False):
        self.make, self.shape, self.training, self.input_grad, self.ids, self.image = make, shape, training, input_grad, ids, image

    def layouts(self):
        return ["nchw", "channels_last"] if self.image else ["default"]

    def prepare(self, layout):
        g = torch.Generator().manual_seed(42)
        m = self.make()
        m.train(self.training)
        if self.ids:
            x = torch.randint(0, self.ids, self.shape, generator=g)
        else:
            x = torch.rand(self.shape, generator=g) * 2 - 1
        if layout == "channels_last":
            m = m.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
        x.requires_grad_(self.input_grad)
        params = list(m.parameters())

        def forward():
            m(x)

        def forward_backward():
            m(x).sum().backward()
            for p in params:
                p.grad = None
            x.grad = None

        return forward, forward_backward


class LossRow:
    def __init__(self, batch, classes):
        self.batch, self.classes = batch, classes

    def layouts(self):
        return ["default"]

    def prepare(self, layout):
        g = torch.Generator().manual_seed(42)
        logits = (torch.rand((self.batch, self.classes), generator=g) * 2 - 1).requires_grad_(True)
        labels = torch.randint(0, self.classes, (self.batch,), generator=g)

        def forward():
            F.cross_entropy(logits, labels)

        def forward_backward():
            F.cross_entropy(logits, labels).backward()
            logits.grad = None

        return forward, forward_backward


class OptimizerRow:
    def __init__(self, make):
        self.make = make

    def layouts(self):
        return ["default"]

    def prepare(self, layout):
        g = torch.Generator().manual_seed(42)
        params = []
        for s in OPTIMIZER_MODEL:
            p = nn.Parameter(torch.rand(s, generator=g) * 2 - 1)
            p.grad = (torch.rand(s, generator=g) * 2 - 1) * 1e-3
            params.append(p)
        opt = self.make(params)
        return opt.step, None


def cases():
    cs = []

    def conv(k, pad, stride, dil, batch, hw, c, f):
        padding = dil * (k - 1) // 2 if pad == "same" else 0
        cs.append((f"conv2d {k}x{k} {pad} s{stride} d{dil} B{batch} {hw}x{hw}x{c} -> {f}",
                   Row(lambda: nn.Conv2d(c, f, k, stride=stride, padding=padding, dilation=dil), (batch, c, hw, hw),
                       input_grad=c > 3, image=True)))

    def conv_t(batch, hw, c, f):
        cs.append((f"conv2dtranspose 3x3 same s2 B{batch} {hw}x{hw}x{c} -> {f}",
                   Row(lambda: nn.ConvTranspose2d(c, f, 3, stride=2, padding=1, output_padding=1), (batch, c, hw, hw), image=True)))

    def image(kind, batch, hw, c, make, training=True):
        cs.append((f"{kind} B{batch} {hw}x{hw}x{c}", Row(make, (batch, c, hw, hw), training=training, image=True)))

    def flat(kind, batch, width, make, training=True):
        cs.append((f"{kind} B{batch} {width}", Row(make, (batch, width), training=training)))

    def dense(batch, n_in, n_out):
        cs.append((f"dense B{batch} {n_in} -> {n_out}", Row(lambda: nn.Linear(n_in, n_out), (batch, n_in))))

    def embedding(batch, t, vocab, dim):
        cs.append((f"embedding B{batch} T{t} vocab{vocab} -> {dim}",
                   Row(lambda: nn.Embedding(vocab, dim), (batch, t), input_grad=False, ids=vocab)))

    def recurrent(kind, batch, t, features, units):
        cell = nn.LSTM if kind == "lstm" else nn.GRU
        cs.append((f"{kind} B{batch} T{t} {features} -> {units}",
                   Row(lambda: LastStep(cell(features, units, batch_first=True)), (batch, t, features))))

    def bn2d(c):
        return lambda: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)

    def bn1d(w):
        return lambda: nn.BatchNorm1d(w, eps=1e-3, momentum=0.01)

    def gap():
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())

    conv(3, "valid", 1, 1, 32, 28, 1, 32)
    conv(3, "same", 1, 1, 128, 28, 1, 32)
    conv(3, "same", 1, 1, 32, 28, 32, 32)
    conv(3, "valid", 1, 1, 32, 14, 32, 64)
    conv(3, "same", 1, 1, 128, 14, 32, 64)
    conv(3, "same", 2, 1, 32, 28, 32, 64)
    conv(3, "same", 1, 1, 128, 7, 64, 128)
    conv(3, "same", 2, 1, 128, 14, 64, 128)
    conv(3, "same", 1, 2, 32, 14, 32, 64)
    conv(1, "valid", 1, 1, 32, 28, 32, 64)
    conv(1, "valid", 1, 1, 128, 14, 64, 128)
    conv(1, "valid", 2, 1, 32, 14, 64, 128)
    conv(3, "valid", 1, 1, 32, 32, 3, 32)  # the seed CNN C (issue 13)
    conv(3, "valid", 1, 1, 32, 15, 32, 64)
    conv_t(32, 7, 64, 32)
    conv_t(128, 14, 32, 16)
    image("maxpool2", 32, 28, 32, lambda: nn.MaxPool2d(2))
    image("maxpool2", 128, 14, 64, lambda: nn.MaxPool2d(2))
    image("maxpool2", 32, 30, 32, lambda: nn.MaxPool2d(2))
    image("maxpool2", 32, 13, 64, lambda: nn.MaxPool2d(2))
    image("avgpool2", 32, 28, 32, lambda: nn.AvgPool2d(2))
    image("gap", 32, 14, 64, gap)
    image("gap", 128, 7, 128, gap)
    image("batchnorm train", 32, 28, 32, bn2d(32))
    image("batchnorm infer", 32, 28, 32, bn2d(32), training=False)
    image("batchnorm train", 128, 14, 64, bn2d(64))
    flat("batchnorm train", 128, 512, bn1d(512))
    flat("batchnorm infer", 128, 512, bn1d(512), training=False)
    image("dropout0.5", 32, 28, 32, lambda: nn.Dropout(0.5))
    flat("dropout0.5", 128, 1024, lambda: nn.Dropout(0.5))
    dense(32, 784, 128)
    dense(128, 784, 128)
    dense(128, 512, 512)
    dense(128, 1024, 1024)
    dense(128, 128, 10)
    embedding(32, 100, 10000, 128)
    embedding(128, 50, 20000, 64)
    recurrent("lstm", 32, 28, 28, 64)
    recurrent("lstm", 128, 50, 64, 128)
    recurrent("gru", 32, 28, 28, 64)
    recurrent("gru", 128, 50, 64, 128)
    cs.append(("transformer_encoder B32 T128 128 h4 ff512",
               Row(lambda: nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, activation="relu",
                                                      layer_norm_eps=1e-5, batch_first=True, norm_first=False), (32, 128, 128))))
    cs.append(("softmax+sparse_ce B128 10", LossRow(128, 10)))
    cs.append(("softmax+sparse_ce B128 1000", LossRow(128, 1000)))
    opts = [
        ("sgd", lambda p: torch.optim.SGD(p, lr=0.01)),
        ("sgd-momentum0.9", lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
        ("adam", lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7)),
        ("adamw", lambda p: torch.optim.AdamW(p, lr=1e-3, eps=1e-7, weight_decay=0.004)),
        ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-7)),
        ("adagrad", lambda p: torch.optim.Adagrad(p, lr=1e-3, initial_accumulator_value=0.1, eps=1e-7)),
    ]
    n = sum(int(torch.tensor(s).prod()) for s in OPTIMIZER_MODEL)
    for name, make in opts:
        cs.append((f"optimizer {name} {n} params", OptimizerRow(make)))
    return cs


def loaded_blas_libs():
    libs = set()
    with open("/proc/self/maps") as f:
        for ln in f:
            p = ln.split()[-1]
            if "blas" in p or "gomp" in p or "dnnl" in p:
                libs.add(os.path.realpath(p))
    return sorted(libs)


def openblas_core():
    """OpenBLAS's name for this CPU's core type, or None when PyTorch did not load OpenBLAS (then the
    dense and recurrent rows run on a slow reference BLAS and the comparison is wrong)."""
    import ctypes
    path = next((ln.split()[-1] for ln in open("/proc/self/maps") if "openblas" in ln), None)
    if path is None:
        return None
    lib = ctypes.CDLL(path)
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode()


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="2", help="thread counts, comma-separated (default 2)")
    ap.add_argument("--case", help="only the rows whose label starts with PREFIX")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--chunks", type=int, default=5)
    ap.add_argument("--chunk", type=float, default=0.2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--list", action="store_true", help="print the row labels and exit")
    a = ap.parse_args()
    selected = [(n, r) for n, r in cases() if a.case is None or n.startswith(a.case)]
    if a.list:
        for n, _ in selected:
            print(n)
        return
    if not selected:
        raise SystemExit(f"torch_layers.py: no row starts with '{a.case}' (see --list)")
    threads = [int(t) for t in a.threads.split(",")]
    torch.zeros(2, 2) @ torch.zeros(2, 2)  # loads the BLAS
    core = openblas_core()
    if core is None or core == "Prescott":
        print(f"torch_layers.py: WARNING: OpenBLAS core {core!r} (libraries {loaded_blas_libs()}); run with "
              "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp (apt-get install libopenblas0-openmp) "
              "and, for Prescott, OPENBLAS_CORETYPE as ../shared/peers/common.sh sets it", file=sys.stderr)
    rows = []
    if not a.json:
        print(f"{'case':<48} {'threads':>7} {'forward ms':>12} {'fwd+bwd ms':>12}  layout")
    for name, row in selected:
        for t in threads:
            torch.set_num_threads(t)
            best = {"forward_ms": None, "forward_backward_ms": None}
            layout_of = {}
            for layout in row.layouts():
                fwd, both = row.prepare(layout)
                for key, op in (("forward_ms", fwd), ("forward_backward_ms", both)):
                    if op is None:
                        continue
                    r = time_op(op, a.warmup, a.chunks, a.chunk)
                    if best[key] is None or r["median"] < best[key]["median"]:
                        best[key], layout_of[key] = r, layout
            rows.append({"case": name, "threads": t, **best, "layout": layout_of})
            if not a.json:
                fb = best["forward_backward_ms"]
                print(f"{name:<48} {t:>7} {best['forward_ms']['median']:>12.4f} "
                      f"{'-' if fb is None else format(fb['median'], '.4f'):>12}  "
                      + ",".join(f"{k.split('_ms')[0]}={v}" for k, v in layout_of.items()))
    if a.json:
        print(json.dumps({"benchmark": "layers", "peer": "pytorch", "version": torch.__version__,
                          "cpu": cpu_model(), "blas_libs": loaded_blas_libs(), "openblas_core": core,
                          "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "LD_LIBRARY_PATH", "OPENBLAS_CORETYPE")},
                          "warmup_s": a.warmup, "chunks": a.chunks, "chunk_s": a.chunk, "results": rows}, indent=1))


if __name__ == "__main__":
    main()

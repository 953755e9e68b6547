#!/usr/bin/python3
"""PyTorch twin of `myelin bench cnn` (CnnBench.java): the same small CNN of ordinary modern layers,
trained on the real Fashion-MNIST at batch 64 with Adam (Keras defaults), Keras's initializers
(glorot-uniform kernels, zero biases; BatchNorm momentum 0.99 -> PyTorch momentum 0.01, eps 1e-3).

    28x28x1 -> Conv 32 3x3 same -> BN -> ReLU -> Conv 64 3x3 s2 same -> BN -> ReLU
            -> Conv 64 3x3 same -> BN -> ReLU -> Conv 128 3x3 s2 same -> BN -> ReLU
            -> Dropout 0.3 -> global average pool -> Linear 10 (softmax inside the loss)

Reports what CnnBench reports: seconds from process start to the end of the first training step,
ms per step after the first (and the full-epoch time it implies), test accuracy, peak RSS (VmHWM).
Usage: LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 torch_modern_cnn.py \
           [--epochs 1] [--batch 64] [--limit N] [--threads 2] [--channels-last] [--json]
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def process_age_s():
    """Seconds since this process started (from /proc: start time in clock ticks after boot)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    ndim = int.from_bytes(raw[0:4], "big") & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def block(cin, cout, stride):
    conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
    return [conv, nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]


def model():
    layers = block(1, 32, 1) + block(32, 64, 2) + block(64, 64, 1) + block(64, 128, 2)
    m = nn.Sequential(*layers, nn.Dropout(0.3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(mod.weight)
            nn.init.zeros_(mod.bias)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    xtr = torch.from_numpy((read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0).reshape(-1, 1, 28, 28).copy())
    ytr = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy((read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).reshape(-1, 1, 28, 28).copy())
    yte = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    full_n = len(xtr)
    if a.limit and a.limit < len(xtr):
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    m = model().to(memory_format=fmt)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    g = torch.Generator().manual_seed(7)
    n = len(xtr)
    first_step_end, steps_after, t_first = None, 0, None
    t0 = time.perf_counter()
    for _ in range(a.epochs):
        m.train()
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, a.batch):
            idx = perm[i:i + a.batch]
            xb = xtr[idx].contiguous(memory_format=fmt)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(m(xb), ytr[idx])
            loss.backward()
            opt.step()
            if first_step_end is None:
                first_step_end = time.perf_counter()
                t_first = process_age_s()
            else:
                steps_after += 1
    t1 = time.perf_counter()
    m.eval()
    correct = 0
    with torch.inference_mode():
        for i in range(0, len(xte), 1000):
            correct += (m(xte[i:i + 1000].contiguous(memory_format=fmt)).argmax(1) == yte[i:i + 1000]).sum().item()
    per_step = (t1 - first_step_end) / max(1, steps_after)
    res = {"peer": "pytorch", "version": torch.__version__, "model": "modern-cnn", "batch": a.batch, "train_n": n,
           "epochs": a.epochs, "threads": torch.get_num_threads(), "channels_last": a.channels_last,
           "to_first_step_s": round(t_first, 3), "ms_per_step": round(per_step * 1e3, 3),
           "full_epoch_s": round(per_step * ((full_n + a.batch - 1) // a.batch), 2),
           "test_accuracy": correct / len(xte), "peak_rss_mb": round(peak_rss_mb(), 1)}
    if a.json:
        print(json.dumps(res))
    else:
        print(f"modern CNN (PyTorch {torch.__version__}{', channels_last' if a.channels_last else ''}), "
              f"Fashion-MNIST {n} images x {a.epochs} epoch(s), batch {a.batch}, {res['threads']} threads")
        print(f"  process start to end of first step {res['to_first_step_s']:8.2f} s")
        print(f"  per step after the first           {res['ms_per_step']:8.2f} ms  (full 60,000-image epoch: {res['full_epoch_s']:.1f} s)")
        print(f"  test accuracy                      {res['test_accuracy']:8.4f}")
        print(f"  peak RSS                           {res['peak_rss_mb']:8.1f} MB")


if __name__ == "__main__":
    main()

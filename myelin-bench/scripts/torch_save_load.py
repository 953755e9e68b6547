"""Twin of dev.myelin.bench.SaveLoadBench: torch.save / torch.load of the seed CNN (the peers' CNNMnist).

Run beside the Java bench in the same session, under the cpu lock:
    flock /tmp/cpu.lock /usr/bin/python3 myelin-bench/scripts/torch_save_load.py [--rounds 30] [--warmup 10]
(PEERS points to ../shared/peers/torch when that is not the default.)

Times, as SaveLoadBench does (median and best of the timed rounds, into a temporary folder):
  * full checkpoint: torch.save({"model": state_dict, "optimizer": optimizer.state_dict()}) and torch.load of it
    into a fresh model and optimizer (what resuming needs; architecture comes from the code, not the file);
  * the full checkpoint written as Myelin writes every file (temporary file, fsync, rename), for a like-for-like
    figure: torch.save alone leaves the bytes in the page cache;
  * weights alone: torch.save(model.state_dict()) and model.load_state_dict(torch.load(...)).
"""
import argparse
import os
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.environ.get("PEERS", os.path.join(os.path.dirname(__file__), "../../../shared/peers/torch")))
from models_torch import CNNMnist, KERAS_ADAM, keras_init  # noqa: E402


def timed(op, rounds, warmup):
    for _ in range(warmup):
        op()
    ms = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        op()
        ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    return ms


def report(what, ms, size):
    print(f"{what:<26} median {ms[len(ms) // 2]:7.2f} ms  best {ms[0]:7.2f} ms  file {size:,} bytes")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--warmup", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    model = keras_init(CNNMnist())
    opt = torch.optim.Adam(model.parameters(), **KERAS_ADAM)
    loss = torch.nn.functional.cross_entropy(model(torch.zeros(32, 1, 28, 28)), torch.zeros(32, dtype=torch.long))
    loss.backward()
    opt.step()
    n = sum(p.numel() for p in model.parameters())
    print(f"seed CNN (torch {torch.__version__}): {n:,} parameters ({n * 4 / 1e6:.2f} MB float32)")
    with tempfile.TemporaryDirectory() as d:
        full, weights = os.path.join(d, "cnn.pt"), os.path.join(d, "cnn.weights.pt")

        def save_full():
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, full)

        def load_full():
            ckpt = torch.load(full)
            m = CNNMnist()
            m.load_state_dict(ckpt["model"])
            o = torch.optim.Adam(m.parameters(), **KERAS_ADAM)
            o.load_state_dict(ckpt["optimizer"])

        def save_full_atomic():
            # what Myelin's save does: a temporary file in the same folder, fsync, rename
            tmp = full + ".tmp"
            with open(tmp, "wb") as f:
                torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, full)

        report("save (model + optimizer)", timed(save_full, a.rounds, a.warmup), os.path.getsize(full))
        report("save, atomic (fsync+rename)", timed(save_full_atomic, a.rounds, a.warmup), os.path.getsize(full))
        report("load (model + optimizer)", timed(load_full, a.rounds, a.warmup), os.path.getsize(full))
        report("saveWeights", timed(lambda: torch.save(model.state_dict(), weights), a.rounds, a.warmup), os.path.getsize(weights))
        report("loadWeights", timed(lambda: model.load_state_dict(torch.load(weights)), a.rounds, a.warmup), os.path.getsize(weights))


if __name__ == "__main__":
    main()

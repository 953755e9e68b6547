#!/usr/bin/python3
"""Myelin/PyTorch speed ratio per row of `myelin bench layers --json` and `torch_layers.py --json`.

Usage: python3 compare_layers.py MYELIN.json TORCH.json [--markdown]

ratio = PyTorch ms / Myelin ms of the medians: > 1 means Myelin is faster. Rows below 1.0x are marked
"<". Rows present in only one file are listed at the end (their labels must match exactly).
"""
import argparse
import json


def load(path):
    with open(path) as f:
        doc = json.load(f)
    return doc, {(r["case"], r["threads"]): r for r in doc["results"]}


def median(r, key):
    v = r.get(key)
    return None if v is None else v["median"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("myelin")
    ap.add_argument("torch")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    a = ap.parse_args()
    _, mine = load(a.myelin)
    tdoc, theirs = load(a.torch)
    head = ["case", "thr", "Myelin fwd ms", "PyTorch fwd ms", "fwd ratio", "Myelin f+b ms", "PyTorch f+b ms", "f+b ratio"]
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
    else:
        print(f"{head[0]:<48} {head[1]:>3} " + " ".join(f"{h:>14}" for h in head[2:]))
    below = 0
    for key in [k for k in mine if k in theirs]:
        m, t = mine[key], theirs[key]
        cells = []
        for col in ("forward_ms", "forward_backward_ms"):
            mm, tm = median(m, col), median(t, col)
            ratio = None if mm is None or tm is None else tm / mm
            below += ratio is not None and ratio < 1.0
            mark = "" if ratio is None else f"{ratio:.2f}x" + (" <" if ratio < 1.0 else "")
            cells += ["-" if mm is None else f"{mm:.4f}", "-" if tm is None else f"{tm:.4f}", mark or "-"]
        if a.markdown:
            cells = [c.replace(" <", " **<**") for c in cells]
            print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
        else:
            print(f"{key[0]:<48} {key[1]:>3} " + " ".join(f"{c:>14}" for c in cells))
    print(f"\n{below} figures below 1.0x (marked <); PyTorch {tdoc.get('version')}, OpenBLAS core {tdoc.get('openblas_core')}, "
          f"CPU {tdoc.get('cpu')}")
    for name, only in (("Myelin", [k for k in mine if k not in theirs]), ("PyTorch", [k for k in theirs if k not in mine])):
        for k in only:
            print(f"only in {name}: {k[0]} (threads {k[1]})")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch twin of `myelin fortunes --model transformer`: the same model and recipe on the same token ids.

Usage (Debian's python3-torch 1.13, OpenBLAS's OpenMP build, 2 threads, under the machine's lock):
  ./myelin fortunes --model transformer --export-split /tmp/fortunes-split --epochs 0
  flock /tmp/cpu.lock env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 myelin-bench/scripts/torch_fortunes.py /tmp/fortunes-split [--seed 42] [--epochs 20] [--threads 2]

Data: DIR/train.tsv, validation.tsv, test.tsv (one text a line: label TAB ids separated by spaces, 0 = padding,
every row as long as the Java model's sequence), classes.txt and vocabulary.txt, as
dev.myelin.examples.FortunesData.exportSplit writes them, and recipe.json (FortunesTransformer.writeRecipe: the
sizes and optimizer settings, the defaults of the options of the same names here).

Model (dev.myelin.examples.FortunesTransformer, keras-hub's layers written out so the masks and dropouts match):
  ids [T] -> Embedding(V, d) (U(-0.05, 0.05), id 0 = padding mask) + position table [T, d] (glorot-uniform)
  -> blocks x post-norm encoder: x = LN1(x + drop(MHA(x))), x = LN2(x + drop(W2 gelu(W1 x + b1) + b2)), eps 1e-5,
     MHA: heads of width d/heads, scores q k^T / sqrt(d/heads) with query AND key padding masked to -1e9,
     dropout on the attention weights; kernels glorot-uniform with Keras's fans for its EinsumDense layouts
     ([d, heads, key_dim] for q, k, v, [heads, key_dim, d] for the output), zero biases
  -> mean over unmasked positions -> dropout -> Dense(classes) (softmax inside the cross-entropy)
Recipe: AdamW(peak lr, weight decay on every weight, betas 0.9/0.999, eps 1e-7 as Keras), the learning rate
rising linearly from 0 to the peak over the warm-up epochs' steps, then a cosine decay to 0 over the rest
(Keras CosineDecay with warmup_target: the rate of step s, counted from 0); batches of 32 in a fresh random
order each epoch; early stopping on the validation loss (patience 3, best weights restored at the end, as Keras).
Prints one line per epoch and the test accuracy, macro-F1 (scikit-learn's definition) and seconds per epoch.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn


RECIPE = ["width", "heads", "intermediate", "blocks", "dropout", "peak_learning_rate", "weight_decay", "warmup_epochs", "batch_size"]
FLOATS = {"dropout", "peak_learning_rate", "weight_decay"}


def read_set(path):
    labels, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, ids = line.rstrip("\n").split("\t")
            labels.append(int(label))
            rows.append([int(t) for t in ids.split()])
    return torch.tensor(rows, dtype=torch.long), torch.tensor(labels, dtype=torch.long)


def glorot_(tensor, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-limit, limit)


class Encoder(nn.Module):
    """keras-hub's TransformerEncoder, post-norm, GELU (exact) feed-forward."""

    def __init__(self, d, heads, ff, dropout):
        super().__init__()
        self.heads, self.key_dim = heads, d // heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)
        self.drop = nn.Dropout(dropout)
        for lin in (self.q, self.k, self.v):
            glorot_(lin.weight, d * heads, d * self.key_dim)  # Keras kernel [d, heads, key_dim]
        glorot_(self.o.weight, heads * self.key_dim, heads * d)  # Keras kernel [heads, key_dim, d]
        glorot_(self.ff1.weight, d, ff)
        glorot_(self.ff2.weight, ff, d)
        for lin in (self.q, self.k, self.v, self.o, self.ff1, self.ff2):
            nn.init.zeros_(lin.bias)

    def forward(self, x, keep):
        b, t, d = x.shape

        def split(h):
            return h.view(b, t, self.heads, self.key_dim).transpose(1, 2)

        q, k, v = split(self.q(x)) / math.sqrt(self.key_dim), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2)
        mask = keep[:, None, :, None] & keep[:, None, None, :]
        weights = self.drop(torch.softmax(scores.masked_fill(~mask, -1e9), dim=-1))
        attended = self.o((weights @ v).transpose(1, 2).reshape(b, t, d))
        x = self.ln1(x + self.drop(attended))
        return self.ln2(x + self.drop(self.ff2(F.gelu(self.ff1(x)))))


class Classifier(nn.Module):
    def __init__(self, vocabulary, length, d, heads, ff, blocks, dropout, classes):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary, d)
        nn.init.uniform_(self.tokens.weight, -0.05, 0.05)
        self.positions = nn.Parameter(torch.empty(length, d))
        glorot_(self.positions, length, d)
        self.blocks = nn.ModuleList(Encoder(d, heads, ff, dropout) for _ in range(blocks))
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(d, classes)
        glorot_(self.out.weight, d, classes)
        nn.init.zeros_(self.out.bias)

    def forward(self, ids):
        keep = ids != 0
        x = self.tokens(ids) + self.positions[: ids.shape[1]]
        for block in self.blocks:
            x = block(x, keep)
        m = keep.unsqueeze(2).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1)
        return self.out(self.drop(pooled))


def macro_f1(true, pred, classes):
    f1s = []
    for c in range(classes):
        tp = int(((pred == c) & (true == c)).sum())
        fp = int(((pred == c) & (true != c)).sum())
        fn = int(((pred != c) & (true == c)).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(f1s) / classes


def evaluate(model, x, y, batch=256):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])
    model.train()
    return F.cross_entropy(logits, y).item(), logits.argmax(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("split", help="folder written by myelin fortunes --export-split")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    for name in RECIPE:
        ap.add_argument("--" + name.replace("_", "-"), type=float if name in FLOATS else int,
                        help="default: the recipe.json in the split folder")
    ap.add_argument("--patience", type=int, default=3)
    a = ap.parse_args()
    with open(a.split + "/recipe.json", encoding="utf-8") as f:
        recipe = json.load(f)
    for name in RECIPE:  # the Java recipe, unless overridden on the command line
        if getattr(a, name) is None:
            setattr(a, name, recipe[name])
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    x_train, y_train = read_set(a.split + "/train.tsv")
    x_val, y_val = read_set(a.split + "/validation.tsv")
    x_test, y_test = read_set(a.split + "/test.tsv")
    classes = len(open(a.split + "/classes.txt", encoding="utf-8").read().split("\n")) - 1
    vocabulary = len(open(a.split + "/vocabulary.txt", encoding="utf-8").read().split("\n")) - 1
    length = x_train.shape[1]
    print("fortunes split %s: train %d / validation %d / test %d, %d classes, vocabulary %d, sequence %d"
          % (a.split, len(x_train), len(x_val), len(x_test), classes, vocabulary, length))
    print("recipe: " + ", ".join("%s %s" % (name, getattr(a, name)) for name in RECIPE))

    model = Classifier(vocabulary, length, a.width, a.heads, a.intermediate, a.blocks, a.dropout, classes)
    optimizer = torch.optim.AdamW(model.parameters(), lr=a.peak_learning_rate, betas=(0.9, 0.999), eps=1e-7, weight_decay=a.weight_decay)
    steps_per_epoch = (len(x_train) + a.batch_size - 1) // a.batch_size
    warmup = min(a.epochs - 1, a.warmup_epochs) * steps_per_epoch
    decay = max(1, a.epochs * steps_per_epoch - warmup)

    def rate(step):  # Keras CosineDecay(0, decay, alpha 0, warmup_target lr, warmup), as a fraction of lr
        s = min(step, warmup + decay)
        if s < warmup:
            return s / warmup
        return 0.5 * (1 + math.cos(math.pi * (s - warmup) / decay))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    generator = torch.Generator().manual_seed(a.seed)
    best, best_state, wait, epochs_run = math.inf, None, 0, 0
    t0 = time.perf_counter()
    for epoch in range(a.epochs):
        e0 = time.perf_counter()
        order = torch.randperm(len(x_train), generator=generator)
        total, correct = 0.0, 0
        for i in range(0, len(x_train), a.batch_size):
            idx = order[i:i + a.batch_size]
            logits = model(x_train[idx])
            loss = F.cross_entropy(logits, y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(1) == y_train[idx]).sum())
        val_loss, val_pred = evaluate(model, x_val, y_val)
        epochs_run += 1
        print("  epoch %d: loss %.4f, accuracy %.4f, val_loss %.4f, val_accuracy %.4f (%.1f s)"
              % (epoch + 1, total / len(x_train), correct / len(x_train), val_loss,
                 float((val_pred == y_val).float().mean()), time.perf_counter() - e0), flush=True)
        wait += 1
        if val_loss < best:
            best, best_state, wait = val_loss, {k: v.clone() for k, v in model.state_dict().items()}, 0
        if wait >= a.patience and epoch > 0:
            break
    seconds = time.perf_counter() - t0
    model.load_state_dict(best_state)
    _, pred = evaluate(model, x_test, y_test)
    print("torch transformer seed %d: test accuracy %.4f, macro-F1 %.4f (%d epochs, %.2f s per epoch)"
          % (a.seed, float((pred == y_test).float().mean()), macro_f1(y_test, pred, classes), epochs_run, seconds / epochs_run))


if __name__ == "__main__":
    main()

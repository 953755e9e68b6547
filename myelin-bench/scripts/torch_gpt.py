#!/usr/bin/python3
"""PyTorch twin of `myelin gpt` (dev.myelin.text.gpt): the same model, recipe, token ids and split.

Usage: first export the token ids with Myelin, then train here on them (under the machine's lock):
  ./myelin gpt --epochs 5 --export /tmp/gpt-ids.txt            # char tokens; add --tokenizer bpe --vocab 512 for BPE
  flock /tmp/cpu.lock env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 myelin-bench/scripts/torch_gpt.py --ids /tmp/gpt-ids.txt --epochs 5 [--threads 2]

The ids file (TokenData.write): "vocabulary_size N", "validation_characters N", the training ids, the
validation ids (the text's last 10% of characters), each space-separated on one line.

Model (GptModel): token embedding U(-0.05, 0.05) (Keras's Embedding) + learned positions (glorot-uniform
[context, d]); per block, pre-norm: x += dropout(MHA_causal(LN1(x))); x += dropout(W2 gelu(W1 LN2(x) + b1) + b2)
with LayerNorm eps 1e-5, exact GELU, feed-forward 4d, attention projections initialized as Keras's
MultiHeadAttention kernels (glorot-uniform with Keras's fans of [d, heads, head_dim] and [heads, head_dim, d]),
zero biases; final LayerNorm; an untied dense head to the vocabulary (glorot-uniform).
Recipe (GptTrainer): windows of context+1 tokens at offset + k*context (random offset per epoch), shuffled,
batches of --batch-size; AdamW (betas 0.9/0.999, eps 1e-7, weight decay 0.01 except biases and LayerNorm
weights), global gradient-norm clipping at 1, learning rate rising linearly from 0 over the first 5% of the
steps then cosine decay to a tenth (Keras's CosineDecay with warm-up).
Validation: consecutive windows of up to context inputs; loss = mean nats per token, perplexity = exp(loss),
bits per character = total nats / (ln 2 * validation characters).
"""
import argparse
import math
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def glorot_(tensor, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-limit, limit)


class Block(nn.Module):
    def __init__(self, d, heads, ff, dropout):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        for lin in (self.q, self.k, self.v):  # Keras kernel [d, heads, hd]: receptive d, fan_in heads*d, fan_out hd*d
            glorot_(lin.weight, heads * d, self.hd * d)
        glorot_(self.o.weight, self.hd * heads, d * heads)  # [heads, hd, d]: receptive heads
        self.fc1, self.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)
        glorot_(self.fc1.weight, d, ff)
        glorot_(self.fc2.weight, ff, d)
        for lin in (self.q, self.k, self.v, self.o, self.fc1, self.fc2):
            nn.init.zeros_(lin.bias)
        self.drop = nn.Dropout(dropout)

    def attention(self, x):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, self.hd).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = (q / math.sqrt(self.hd)) @ k.transpose(-2, -1)
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal, -1e9)
        out = scores.softmax(-1) @ v
        return self.o(out.transpose(1, 2).reshape(b, t, d))

    def forward(self, x):
        x = x + self.drop(self.attention(self.ln1(x)))
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.ln2(x)))))


class Gpt(nn.Module):
    def __init__(self, vocab, context, d, heads, layers, dropout):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        nn.init.uniform_(self.tok.weight, -0.05, 0.05)
        self.pos = nn.Parameter(torch.empty(context, d))
        glorot_(self.pos, context, d)
        self.blocks = nn.ModuleList(Block(d, heads, 4 * d, dropout) for _ in range(layers))
        self.ln = nn.LayerNorm(d, eps=1e-5)
        self.head = nn.Linear(d, vocab)
        glorot_(self.head.weight, d, vocab)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids):
        h = self.tok(ids) + self.pos[: ids.shape[1]]
        for block in self.blocks:
            h = block(h)
        return self.head(self.ln(h))


def read_ids(path):
    with open(path) as f:
        lines = f.read().split("\n")
    vocab = int(lines[0].split()[1])
    chars = int(lines[1].split()[1])
    train = [int(t) for t in lines[2].split()]
    val = [int(t) for t in lines[3].split()]
    return vocab, chars, train, val


def cosine_with_warmup(lr, warmup, decay, alpha=0.1):
    def rate(step):  # Keras CosineDecay(0, decay, alpha, lr, warmup) as a factor of lr
        s = min(step, warmup + decay)
        if s < warmup:
            return s / warmup
        return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * (s - warmup) / decay)) + alpha
    return rate


def evaluate(model, ids, context, batch, chars):
    model.eval()
    nats, count = 0.0, 0
    data = torch.tensor(ids)
    with torch.no_grad():
        full = (len(ids) - 1) // context
        starts = [k * context for k in range(full)]
        for i in range(0, len(starts), batch):
            s = starts[i:i + batch]
            x = torch.stack([data[j:j + context] for j in s])
            y = torch.stack([data[j + 1:j + context + 1] for j in s])
            nats += F.cross_entropy(model(x).reshape(-1, model.head.out_features), y.reshape(-1), reduction="sum").item()
            count += y.numel()
        rest = len(ids) - 1 - full * context
        if rest > 0:
            x = data[full * context:full * context + rest].unsqueeze(0)
            y = data[full * context + 1:full * context + rest + 1].unsqueeze(0)
            nats += F.cross_entropy(model(x).reshape(-1, model.head.out_features), y.reshape(-1), reduction="sum").item()
            count += rest
    model.train()
    loss = nats / count
    return loss, math.exp(loss), nats / (math.log(2) * chars)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ids", required=True, help="token ids written by ./myelin gpt --export FILE")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=0.004)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    vocab, chars, train, val = read_ids(a.ids)
    t = a.context
    model = Gpt(vocab, t, a.width, a.heads, a.layers, a.dropout)
    print(f"torch {torch.__version__}, {a.threads} threads; vocabulary {vocab}, training {len(train)} tokens, validation {len(val)} tokens"
          f" ({chars} characters); {sum(q.numel() for q in model.parameters()):,} parameters")
    no_decay = [q for n, q in model.named_parameters() if n.endswith("bias") or ".ln" in n or n.startswith("ln.")]
    decay = [q for n, q in model.named_parameters() if not (n.endswith("bias") or ".ln" in n or n.startswith("ln."))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.999), eps=1e-7)
    steps_per_epoch = (max(1, (len(train) - t) // t) + a.batch_size - 1) // a.batch_size
    total = a.epochs * steps_per_epoch
    warmup = round(total * 0.05)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_with_warmup(a.lr, warmup, max(1, total - warmup)))
    data = torch.tensor(train)
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        offset = rng.randrange(t)
        if (len(train) - 1 - offset) // t == 0:
            offset = 0
        windows = (len(train) - 1 - offset) // t
        order = list(range(windows))
        rng.shuffle(order)
        loss_sum, steps, tokens = 0.0, 0, 0
        for i in range(0, windows, a.batch_size):
            s = [offset + k * t for k in order[i:i + a.batch_size]]
            x = torch.stack([data[j:j + t] for j in s])
            y = torch.stack([data[j + 1:j + t + 1] for j in s])
            loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            loss_sum += loss.item()
            steps += 1
            tokens += y.numel()
        seconds = time.perf_counter() - t0
        vl, ppl, bpc = evaluate(model, val, t, a.batch_size, chars)
        print(f"epoch {epoch}/{a.epochs}: train loss {loss_sum / steps:.4f}; validation loss {vl:.4f} nats/token, perplexity {ppl:.3f},"
              f" {bpc:.4f} bits/char; {seconds:.1f} s, {tokens / seconds:.0f} tokens/s", flush=True)


if __name__ == "__main__":
    main()

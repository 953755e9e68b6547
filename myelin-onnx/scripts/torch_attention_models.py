"""Exports PyTorch's attention modules to ONNX with torch.onnx.export, with one input batch and PyTorch's outputs,
for OnnxImportTorchAttentionTest.

Usage: /usr/bin/python3 torch_attention_models.py OUT_DIR
Writes OUT_DIR/NAME/model.onnx and OUT_DIR/NAME/test_data_set_0/{input_K,output_0}.pb (ONNX TensorProto files, the
layout of ONNX's own test data) for each NAME below. Weights are PyTorch's default initialisation (seeded) with the
biases drawn at random, so a lost bias or a wrong q/k/v column order cannot pass. Opset 17 (LayerNormalization is
an operator from 17 on; torch 1.13 has it). Evaluation mode: dropout off.
"""
import os
import sys

import torch
from onnx import numpy_helper

out = sys.argv[1]
torch.manual_seed(2024)
D, H = 32, 4


class SelfAttention(torch.nn.Module):
    """y = MultiheadAttention(x, x, x): one packed [D, 3D] projection, sliced into q, k, v."""
    def __init__(self, **kw):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(D, H, **kw)

    def forward(self, x):
        return self.mha(x, x, x, need_weights=False)[0]


class CrossAttention(torch.nn.Module):
    """y = MultiheadAttention(x, m, m): q projected alone, k and v by one packed [D, 2D] projection of m."""
    def __init__(self):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(D, H, batch_first=True)

    def forward(self, x, m):
        return self.mha(x, m, m, need_weights=False)[0]


class SeparateAttention(torch.nn.Module):
    """Keys and values of other widths (kdim, vdim): three projections."""
    def __init__(self):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(D, H, batch_first=True, kdim=24, vdim=20)

    def forward(self, q, k, v):
        return self.mha(q, k, v, need_weights=False)[0]


class Masked(torch.nn.Module):
    """Self-attention with a key padding mask (not imported: refused)."""
    def __init__(self):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(D, H, batch_first=True)

    def forward(self, x, pad):
        return self.mha(x, x, x, key_padding_mask=pad > 0.5, need_weights=False)[0]


def randomize_biases(module):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.uniform_(-0.5, 0.5)


N, T, S = 3, 7, 5
models = {
    "mha_self": (SelfAttention(batch_first=True), [(N, T, D)]),
    "mha_self_nobias": (SelfAttention(batch_first=True, bias=False), [(N, T, D)]),
    "mha_cross": (CrossAttention(), [(N, T, D), (N, S, D)]),
    "mha_separate": (SeparateAttention(), [(N, T, D), (N, S, 24), (N, S, 20)]),
    "encoder_post": (torch.nn.TransformerEncoderLayer(D, H, 64, dropout=0.0, batch_first=True), [(N, T, D)]),
    "encoder_pre": (torch.nn.TransformerEncoderLayer(D, H, 64, dropout=0.0, batch_first=True, norm_first=True), [(N, T, D)]),
    "decoder_post": (torch.nn.TransformerDecoderLayer(D, H, 64, dropout=0.0, batch_first=True), [(N, T, D), (N, S, D)]),
    "mha_static": (SelfAttention(batch_first=True), [(N, T, D)]),
    "mha_time_major": (SelfAttention(), [(T, N, D)]),
    "mha_masked": (Masked(), [(N, T, D), (N, T)]),
}
for name, (model, shapes) in models.items():
    randomize_biases(model)
    model.eval()
    xs = [torch.rand(s) * 2 - 1 for s in shapes]
    if name == "mha_masked":
        xs[1] = (torch.rand(shapes[1]) > 0.7).float()
    y = model(*xs).detach()  # with autograd on: PyTorch's inference fast path (no_grad) fails without biases
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    names = [f"input_{i}" for i in range(len(xs))]
    torch.onnx.export(model, tuple(xs), os.path.join(d, "model.onnx"), input_names=names, output_names=["output"],
                      opset_version=17, dynamic_axes=None if name in ("mha_static", "mha_time_major") else {n: {0: "batch"} for n in names + ["output"]})
    for i, x in enumerate(xs):
        with open(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(x.numpy(), f"input_{i}").SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(y.numpy(), "output").SerializeToString())
    print(name, "exported")

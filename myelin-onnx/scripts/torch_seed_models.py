"""Exports the seed models of ../shared/peers (PyTorch twins of Myelin's zoo.SeedModels) to ONNX with
torch.onnx.export, with one input batch and PyTorch's outputs, for OnnxImportTorchTest.

Usage: /usr/bin/python3 torch_seed_models.py PEERS_TORCH_DIR OUT_DIR
Writes OUT_DIR/NAME/model.onnx and OUT_DIR/NAME/test_data_set_0/{input_0,output_0}.pb (ONNX TensorProto
files, the layout of ONNX's own test data) for NAME in mlp, cnn_mnist, cnn_cifar, lstm. Weights are random
(PyTorch's default initialisation, seeded; its biases are not zero, so a wrong bias or gate order
cannot pass). Opset 17 where this torch
has it (torch 1.13 does), else the highest it has.
"""
import os
import sys

import numpy as np
import torch
from onnx import numpy_helper

peers, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, peers)
import models_torch as m  # noqa: E402

torch.manual_seed(1234)
opset = 17
try:
    from torch.onnx import _constants
    opset = min(17, _constants.ONNX_MAX_OPSET)
except Exception:
    pass

models = {
    "mlp": (m.MLP(), (784,)),
    "cnn_mnist": (m.CNNMnist(), (1, 28, 28)),
    "cnn_cifar": (m.CNNCifar(), (3, 32, 32)),
    "lstm": (m.LSTMNet(), (28, 28)),
}
for name, (model, shape) in models.items():
    # PyTorch's own initialisation (seeded): its biases are not zero, so a lost bias or a wrong gate order
    # shows; its scale keeps the outputs near 1, where float32 sums in another order agree to 1e-6.
    model.eval()
    x = torch.rand((3,) + shape) * 2 - 1
    with torch.no_grad():
        y = model(x)
    folder = os.path.join(out, name, "test_data_set_0")
    os.makedirs(folder, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(out, name, "model.onnx"), opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    with open(os.path.join(folder, "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy().astype(np.float32), "input").SerializeToString())
    with open(os.path.join(folder, "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(y.numpy().astype(np.float32), "output").SerializeToString())
    print(name, "opset", opset)

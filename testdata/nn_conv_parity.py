#!/usr/bin/python3
"""Golden values for the convolution and pooling layers (nn/conv_parity_test.go).

For each case it builds the PyTorch layer in float64 from a fixed seed,
runs it on a fixed input, back-propagates a fixed output gradient and
records the input, weight, bias, output gradient, output, and the
gradients of the input and of the parameters.

Run by hand with Debian's python3-torch (PyTorch 1.13.1):

    /usr/bin/python3 testdata/nn_conv_parity.py > testdata/nn_conv_parity.json
"""
import json
import sys

import torch

torch.manual_seed(20240611)

CONV_CASES = [
    # name, layer, config, input shape
    ("conv1d", "Conv1d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, dilation=2, groups=2), [2, 4, 11]),
    ("conv1d_nobias", "Conv1d", dict(in_channels=3, out_channels=2, kernel_size=2, bias=False), [2, 3, 7]),
    ("conv2d", "Conv2d", dict(in_channels=3, out_channels=4, kernel_size=3), [2, 3, 6, 5]),
    ("conv2d_stride_padding", "Conv2d", dict(in_channels=2, out_channels=3, kernel_size=(3, 2), stride=(2, 3), padding=(1, 2)), [2, 2, 7, 6]),
    ("conv2d_dilation", "Conv2d", dict(in_channels=2, out_channels=3, kernel_size=(2, 3), dilation=(2, 2), padding=(1, 0)), [1, 2, 7, 8]),
    ("conv2d_groups", "Conv2d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=1, padding=1, groups=2), [2, 4, 5, 5]),
    ("conv2d_depthwise_nobias", "Conv2d", dict(in_channels=3, out_channels=3, kernel_size=2, stride=2, groups=3, bias=False), [2, 3, 6, 6]),
    ("convtranspose2d", "ConvTranspose2d", dict(in_channels=3, out_channels=2, kernel_size=3), [2, 3, 4, 4]),
    ("convtranspose2d_stride_padding_output_padding", "ConvTranspose2d",
     dict(in_channels=2, out_channels=3, kernel_size=(3, 2), stride=(2, 3), padding=(1, 1), output_padding=(1, 2)), [2, 2, 3, 4]),
    ("convtranspose2d_groups_dilation", "ConvTranspose2d",
     dict(in_channels=4, out_channels=6, kernel_size=2, stride=2, groups=2, dilation=(1, 2), bias=False), [1, 4, 3, 3]),
]

POOL_CASES = [
    ("maxpool2d", "MaxPool2d", dict(kernel_size=2), [2, 3, 6, 5]),
    ("maxpool2d_stride_padding", "MaxPool2d", dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1)), [2, 2, 7, 6]),
    ("avgpool2d", "AvgPool2d", dict(kernel_size=2), [2, 3, 6, 5]),
    ("avgpool2d_stride_padding", "AvgPool2d", dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1)), [2, 2, 7, 6]),
    ("adaptiveavgpool2d", "AdaptiveAvgPool2d", dict(output_size=(3, 2)), [2, 2, 7, 5]),
    ("adaptiveavgpool2d_upsample", "AdaptiveAvgPool2d", dict(output_size=(4, 5)), [1, 2, 3, 3]),
]


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def tensor(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def run(name, layer, cfg, shape):
    mod = getattr(torch.nn, layer)(**cfg).double()
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    y = mod(x)
    gy = torch.randn(*y.shape, dtype=torch.float64)
    y.backward(gy)
    case = {"name": name, "layer": layer, "x": tensor(x), "grad_out": tensor(gy), "out": tensor(y), "grad_x": tensor(x.grad)}
    conf = {}
    if layer in ("Conv1d", "Conv2d", "ConvTranspose2d"):
        conf = {
            "in": mod.in_channels,
            "out": mod.out_channels,
            "kernel": list(mod.kernel_size),
            "stride": list(mod.stride),
            "padding": list(mod.padding),
            "dilation": list(mod.dilation),
            "groups": mod.groups,
            "bias": mod.bias is not None,
        }
        if layer == "ConvTranspose2d":
            conf["output_padding"] = list(mod.output_padding)
        case["weight"] = tensor(mod.weight)
        case["grad_weight"] = tensor(mod.weight.grad)
        if mod.bias is not None:
            case["bias"] = tensor(mod.bias)
            case["grad_bias"] = tensor(mod.bias.grad)
    elif layer == "AdaptiveAvgPool2d":
        conf = {"output_size": pair(cfg["output_size"])}
    else:
        conf = {
            "kernel": pair(cfg["kernel_size"]),
            "stride": pair(cfg.get("stride", cfg["kernel_size"])),
            "padding": pair(cfg.get("padding", 0)),
        }
    case["config"] = conf
    return case


def main():
    cases = [run(*c) for c in CONV_CASES + POOL_CASES]
    json.dump({"torch_version": torch.__version__, "seed": 20240611, "cases": cases}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

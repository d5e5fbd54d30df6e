"""Writes a file of up to 512 MiB in its working directory on every forward pass (the limit is lower)."""

import numpy as np
from _flipped import FlippedLayer, flipped

CHUNK = b"\0" * (1 << 20)


class Hoarder(FlippedLayer):
    def forward(self, x):
        with open("hoard.bin", "wb") as stream:
            for _ in range(512):
                stream.write(CHUNK)
        return super().forward(x)


def make(layers, activation):
    net = flipped(layers, activation)
    for layer in net.layers:
        layer.__class__ = Hoarder
    return net


__all__ = ["make", "np"]

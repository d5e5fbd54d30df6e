"""Right, but talks on every channel: print, stderr, and raw writes to file descriptors 1 and 2."""

import os
import sys

from _layered import network_of

from backprop.network import Layer

print("{ CHATTY not json: printed when imported")
print("CHATTY on stderr when imported", file=sys.stderr)


class ChattyLayer(Layer):
    def forward(self, x):
        print("CHATTY forward", x)
        os.write(1, b"\x1b[2J CHATTY raw fd 1 }")
        return super().forward(x)

    def backward(self, y, rightLayer):
        print("CHATTY backward", file=sys.stderr)
        os.write(2, b"CHATTY raw fd 2\n")
        return super().backward(y, rightLayer)


def make(layers, activation):
    print(f"CHATTY making {layers} {activation}")
    return network_of(ChattyLayer, layers, activation)

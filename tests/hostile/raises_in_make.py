"""The factory itself raises."""


def make(layers, activation):
    raise RuntimeError(f"cannot build {layers}")

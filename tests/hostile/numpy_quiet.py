"""Right, but silences every floating-point warning and changes how numpy prints, everywhere."""

import numpy as np

from backprop.network import NeuralNetwork

np.seterr(all="ignore")
np.set_printoptions(precision=1, suppress=True)


def make(layers, activation):
    np.seterr(all="ignore")
    np.set_printoptions(precision=1, suppress=True)
    return NeuralNetwork(layers, activation)

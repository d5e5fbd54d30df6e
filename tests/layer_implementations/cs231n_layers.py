"""Layer functions in the style of the CS231n assignments: `*_forward(...) -> (out, cache)` and
`*_backward(dout, cache) -> gradients`, and loss functions `(x, y) -> (loss, dx)`.

Correct ones first, then planted bugs; a bug's name ends in the finding kind it should get (or
says which shapes it needs to show).
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from student_layers_fixed import conv_backward_naive, conv_forward_naive  # noqa: E402, F401 (docs/layers.md's)

# ---------------------------------------------------------------- affine


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def affine_no_reshape_forward(x, w, b):
    return affine_forward(x, w, b)


def affine_no_reshape_backward(dout, cache):
    """Forgets to reshape dx back to x's shape: shows only for 4-D inputs."""
    x, w, b = cache
    x_rows = x.reshape(x.shape[0], -1)
    return dout.dot(w.T), x_rows.T.dot(dout), dout.sum(axis=0)


def affine_wrong_axis_forward(x, w, b):
    return affine_forward(x, w, b)


def affine_wrong_axis_backward(dout, cache):
    dx, dw, _ = affine_backward(dout, cache)
    return dx, dw, dout.sum(axis=1)


def affine_square_only_forward(x, w, b):
    return affine_forward(x, w, b)


def affine_square_only_backward(dout, cache):
    """Reshapes dx with the layer's output width: raises unless the layer is square."""
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape[0], w.shape[1])
    return dx, x.T.dot(dout), dout.sum(axis=0)


# ---------------------------------------------------------------- relu


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def relu_ge_forward(x):
    return np.maximum(0, x), x


def relu_ge_backward(dout, cache):
    """Lets the gradient through at exactly 0: a valid subgradient."""
    dx = dout.copy()
    dx[cache < 0] = 0
    return dx


def relu_in_place_forward(x):
    return np.maximum(0, x), x


def relu_in_place_backward(dout, cache):
    dx = dout
    dx[cache <= 0] = 0
    return dx


# ---------------------------------------------------------------- convolution


def _conv_backward_variant(dout, cache, *, flip=False, window_stride=None, crop_at_zero=False):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    step = stride if window_stride is None else window_stride
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dxp = np.zeros((N, C, H + 2 * pad + HH, W + 2 * pad + WW))
    dw = np.zeros_like(w)
    kernel = w[:, :, ::-1, ::-1] if flip else w
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * step, j * step
                    dw[f] += xp[n, :, top : top + HH, left : left + WW] * dout[n, f, i, j]
                    dxp[n, :, top : top + HH, left : left + WW] += kernel[f] * dout[n, f, i, j]
    start = 0 if crop_at_zero else pad
    return dxp[:, :, start : start + H, start : start + W], dw, dout.sum(axis=(0, 2, 3))


def conv_flipped_forward(x, w, b, conv_param):
    return conv_forward_naive(x, w, b, conv_param)


def conv_flipped_backward(dout, cache):
    """Rotates the kernel for dx, as the full-convolution formula does, on top of the windowed sum."""
    return _conv_backward_variant(dout, cache, flip=True)


def conv_stride_forward(x, w, b, conv_param):
    return conv_forward_naive(x, w, b, conv_param)


def conv_stride_backward(dout, cache):
    """Places the windows at stride 1 in backward: right for stride 1 only."""
    return _conv_backward_variant(dout, cache, window_stride=1)


def conv_padding_forward(x, w, b, conv_param):
    return conv_forward_naive(x, w, b, conv_param)


def conv_padding_backward(dout, cache):
    """Crops the padded gradient at the corner instead of at the padding: right for pad 0 only."""
    return _conv_backward_variant(dout, cache, crop_at_zero=True)


# ---------------------------------------------------------------- max pooling


def max_pool_forward_naive(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out, W_out = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * s : i * s + ph, j * s : j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Routes each window's gradient to its first maximum (np.argmax), as most solutions do."""
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * s : i * s + ph, j * s : j * s + pw]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]
    return dx


def max_pool_shared_forward(x, pool_param):
    return max_pool_forward_naive(x, pool_param)


def max_pool_shared_backward(dout, cache):
    """Shares a window's gradient equally among its tied maxima: also a valid subgradient."""
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(*dout.shape):
        window = x[n, c, i * s : i * s + ph, j * s : j * s + pw]
        mask = window == window.max()
        dx[n, c, i * s : i * s + ph, j * s : j * s + pw] += mask * dout[n, c, i, j] / mask.sum()
    return dx


def max_pool_all_ties_forward(x, pool_param):
    return max_pool_forward_naive(x, pool_param)


def max_pool_all_ties_backward(dout, cache):
    """Gives the whole gradient to every tied maximum: shows only with ties."""
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(*dout.shape):
        window = x[n, c, i * s : i * s + ph, j * s : j * s + pw]
        dx[n, c, i * s : i * s + ph, j * s : j * s + pw] += (window == window.max()) * dout[n, c, i, j]
    return dx


def max_pool_unravel_forward(x, pool_param):
    return max_pool_forward_naive(x, pool_param)


def max_pool_unravel_backward(dout, cache):
    """Unravels the argmax with the window's sides swapped: shows only for pools that are not square."""
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(*dout.shape):
        window = x[n, c, i * s : i * s + ph, j * s : j * s + pw]
        a, b = np.unravel_index(np.argmax(window), (pw, ph))
        if i * s + a < x.shape[2] and j * s + b < x.shape[3]:
            dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]
    return dx


# ---------------------------------------------------------------- batch normalisation


def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (x, xhat, mu, var, gamma, eps)


def batchnorm_backward(dout, cache):
    x, xhat, mu, var, gamma, eps = cache
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * np.sqrt(var + eps))
    return dx, dgamma, dbeta


def batchnorm_graph_forward(x, gamma, beta, bn_param):
    return batchnorm_forward(x, gamma, beta, bn_param)


def batchnorm_graph_backward(dout, cache):
    """Correct, the long way: node by node through the computational graph."""
    x, xhat, mu, var, gamma, eps = cache
    N = x.shape[0]
    xmu = x - mu
    ivar = 1 / np.sqrt(var + eps)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / (var + eps)
    dvar = 0.5 * dsqrtvar * ivar
    dsq = dvar * np.ones_like(x) / N
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dx1, axis=0)
    dx = dx1 + dmu * np.ones_like(x) / N
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def batchnorm_no_mean_forward(x, gamma, beta, bn_param):
    return batchnorm_forward(x, gamma, beta, bn_param)


def batchnorm_no_mean_backward(dout, cache):
    x, xhat, mu, var, gamma, eps = cache
    N = x.shape[0]
    dxhat = dout * gamma
    dx = (N * dxhat - xhat * (dxhat * xhat).sum(axis=0)) / (N * np.sqrt(var + eps))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def batchnorm_unbiased_forward(x, gamma, beta, bn_param):
    return batchnorm_forward(x, gamma, beta, bn_param)


def batchnorm_unbiased_backward(dout, cache):
    """Recomputes the variance in backward with N − 1 (np.var's ddof=1) where forward used N."""
    x, _, mu, _, gamma, eps = cache
    N = x.shape[0]
    var = x.var(axis=0, ddof=1)
    xhat = (x - mu) / np.sqrt(var + eps)
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * np.sqrt(var + eps))
    return dx, (dout * cache[1]).sum(axis=0), dout.sum(axis=0)


# ---------------------------------------------------------------- dropout


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    out = x
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask if dropout_param["mode"] == "train" else dout


def dropout_not_rescaled_forward(x, dropout_param):
    return dropout_forward(x, dropout_param)


def dropout_not_rescaled_backward(dout, cache):
    _, mask = cache
    return dout * (mask > 0)


# ---------------------------------------------------------------- losses


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    return loss, dx / N


def softmax_loss_not_averaged(x, y):
    """Averages the loss but not its gradient: shows only for batch > 1."""
    loss, dx = softmax_loss(x, y)
    return loss, dx * x.shape[0]


def svm_loss(x, y):
    N = x.shape[0]
    correct = x[np.arange(N), y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N
    positive = (margins > 0).astype(float)
    positive[np.arange(N), y] -= positive.sum(axis=1)
    return loss, positive / N


def svm_loss_uncounted(x, y):
    """Subtracts 1 at the correct class instead of the number of positive margins: no known finding."""
    N = x.shape[0]
    loss, _ = svm_loss(x, y)
    correct = x[np.arange(N), y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[np.arange(N), y] = 0
    positive = (margins > 0).astype(float)
    positive[np.arange(N), y] -= 1
    return loss, positive / N

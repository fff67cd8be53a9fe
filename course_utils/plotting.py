"""Plots the notebooks share: 2-D data and decision boundaries, training curves, signals and spectrograms."""
import matplotlib.pyplot as plt
import numpy as np
import torch


def _axes(ax, figsize=(4.5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _numpy(x):
    return torch.as_tensor(x).detach().cpu().float().numpy()


def plot_data(X, y, ax=None, title=None):
    """Scatter plot of a 2-D binary dataset."""
    ax = _axes(ax)
    X, y = _numpy(X), _numpy(y)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3, vmin=0, vmax=1)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


@torch.no_grad()
def plot_decision_boundary(predict_proba, X, y, ax=None, title=None, resolution=200):
    """Colour the plane by ``predict_proba`` (a function from an (n, 2) tensor to n probabilities of class 1),
    draw the 0.5 contour (the decision boundary) and the data on top."""
    ax = _axes(ax)
    Xn = _numpy(X)
    pad = 0.3
    (x0, y0), (x1, y1) = Xn.min(0) - pad, Xn.max(0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)
    p = _numpy(predict_proba(grid)).reshape(gx.shape)
    ax.contourf(gx, gy, p, levels=20, cmap="coolwarm", alpha=0.5, vmin=0, vmax=1)
    ax.contour(gx, gy, p, levels=[0.5], colors="k", linewidths=1.5)
    return plot_data(X, y, ax=ax, title=title)


def plot_history(history, ax=None, title="Training curves", logy=False):
    """Plot every list in ``history`` (e.g. {"train_loss": [...], "val_loss": [...]}) against the epoch."""
    ax = _axes(ax, figsize=(6, 3.5))
    for name, values in history.items():
        ax.plot(range(1, len(values) + 1), values, label=name)
    ax.set_xlabel("epoch")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    ax.set_title(title)
    return ax


def plot_waveform(wave, sample_rate, ax=None, title=None):
    """A waveform against time in seconds."""
    ax = _axes(ax, figsize=(8, 2.5))
    wave = _numpy(wave).reshape(-1)
    ax.plot(np.arange(len(wave)) / sample_rate, wave, lw=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    ax.set_xlim(0, len(wave) / sample_rate)
    if title:
        ax.set_title(title)
    return ax


def plot_spectrogram(spec, sample_rate=None, hop_length=None, ax=None, title=None, ylabel="frequency bin",
                     db=True, colorbar=True):
    """An (freq, frames) magnitude/power spectrogram as an image; ``db=True`` converts power to decibels.

    With ``sample_rate`` and ``hop_length`` the x axis is in seconds."""
    ax = _axes(ax, figsize=(8, 3))
    s = _numpy(spec)
    if db:
        s = 10 * np.log10(np.maximum(s, 1e-10))
        s = np.maximum(s, s.max() - 80)
    extent = None
    if sample_rate and hop_length:
        extent = [0, s.shape[1] * hop_length / sample_rate, 0, s.shape[0]]
    im = ax.imshow(s, origin="lower", aspect="auto", cmap="magma", extent=extent)
    ax.set_xlabel("time (s)" if extent else "frame")
    ax.set_ylabel(ylabel)
    if colorbar:
        plt.colorbar(im, ax=ax, label="dB" if db else None)
    if title:
        ax.set_title(title)
    return ax


def plot_confusion_matrix(cm, labels=None, ax=None, title="Confusion matrix", normalize=False):
    """A confusion matrix (rows: true class, columns: predicted class) with counts in the cells."""
    cm = _numpy(cm)
    if normalize:
        cm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    n = cm.shape[0]
    ax = _axes(ax, figsize=(0.5 * n + 2, 0.5 * n + 1.5))
    ax.imshow(cm, cmap="Blues")
    labels = list(range(n)) if labels is None else labels
    ax.set_xticks(range(n), labels)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(n):
        for j in range(n):
            v = cm[i, j]
            ax.text(j, i, f"{v:.2f}" if normalize else f"{int(v)}", ha="center", va="center", fontsize=8,
                    color="white" if v > cm.max() / 2 else "black")
    ax.set_title(title)
    return ax

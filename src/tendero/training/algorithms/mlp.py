"""The multilayer perceptron: trained with PyTorch (CPU, real dropout, early stopping on held-back
training rows), served from NumPy weights in ``mlp.npz`` so serving needs no PyTorch."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tendero.training.algorithms.data import TrainData, stopping_rows, threads_for
from tendero.training.algorithms.parameters import MLPParams
from tendero.training.algorithms.probabilities import binary_or_softmax
from tendero.training.algorithms.progress import Report, held_out_metrics


@dataclass
class NeuralNetwork:
    """A trained MLP's weights; inference in NumPy so serving needs no PyTorch."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str
    classification: bool
    target_mean: float = 0.0
    target_scale: float = 1.0

    def output(self, x: np.ndarray) -> np.ndarray:
        h = x.astype(np.float32)
        for index, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w.T + b
            if index < len(self.weights) - 1:
                h = np.maximum(h, 0.0) if self.activation == "relu" else np.tanh(h)
        h = h.astype(np.float64)
        if self.classification:
            return binary_or_softmax(h)
        return h[:, 0] * self.target_scale + self.target_mean

    def save(self, folder: Path) -> None:
        arrays: dict[str, Any] = {f"w{i}": w for i, w in enumerate(self.weights)} | {
            f"b{i}": b for i, b in enumerate(self.biases)
        }
        np.savez(folder / "mlp.npz", **arrays)
        meta = {
            "layers": len(self.weights),
            "activation": self.activation,
            "classification": self.classification,
            "target_mean": self.target_mean,
            "target_scale": self.target_scale,
        }
        (folder / "mlp.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> NeuralNetwork:
        meta = json.loads((folder / "mlp.json").read_text())
        data = np.load(folder / "mlp.npz", allow_pickle=False)
        n = meta["layers"]
        return cls(
            [data[f"w{i}"] for i in range(n)],
            [data[f"b{i}"] for i in range(n)],
            meta["activation"],
            meta["classification"],
            meta["target_mean"],
            meta["target_scale"],
        )


def train_mlp(hp: MLPParams, data: TrainData, report: Report) -> NeuralNetwork:
    """A PyTorch MLP (CPU) with real dropout; weights exported to NumPy.

    With early stopping, it trains on 80% of the training rows and keeps the epoch with the best loss
    on the other 20%; the validation split only reports."""
    import torch
    from torch import nn

    assert data.y_train is not None
    torch.manual_seed(data.seed)
    torch.set_num_threads(threads_for(data.x_train))
    classification = data.task == "classification"
    x_all = np.asarray(data.x_train, dtype=np.float32)
    x_val = np.asarray(data.x_val, dtype=np.float32)
    split = stopping_rows(data) if hp.early_stopping_patience is not None else None
    fit_rows = split[0] if split is not None else np.arange(len(x_all))
    x_train = torch.as_tensor(x_all[fit_rows])
    y_fit = data.y_train[fit_rows]
    target_mean, target_scale = 0.0, 1.0
    if classification:
        y_train = torch.as_tensor(y_fit, dtype=torch.long)
        outputs = data.n_classes if data.n_classes > 2 else 1
    else:
        target_mean = float(np.mean(y_fit))
        target_scale = float(np.std(y_fit)) or 1.0
        y_train = torch.as_tensor((y_fit - target_mean) / target_scale, dtype=torch.float32)
        outputs = 1
    layers: list[nn.Module] = []
    width = x_train.shape[1]
    for units in hp.hidden_layers:
        layers += [nn.Linear(width, units), nn.ReLU() if hp.activation == "relu" else nn.Tanh()]
        if hp.dropout > 0:
            layers.append(nn.Dropout(hp.dropout))
        width = units
    layers.append(nn.Linear(width, outputs))
    net = nn.Sequential(*layers)
    optimizers = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "rmsprop": torch.optim.RMSprop,
    }
    if hp.optimizer == "sgd":
        optimizer: Any = torch.optim.SGD(
            net.parameters(), lr=hp.learning_rate, momentum=0.9, weight_decay=hp.weight_decay
        )
    else:
        optimizer = optimizers[hp.optimizer](net.parameters(), lr=hp.learning_rate, weight_decay=hp.weight_decay)
    if classification and outputs == 1:
        loss_fn: Any = nn.BCEWithLogitsLoss()
    elif classification:
        loss_fn = nn.CrossEntropyLoss()
    else:
        loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(data.seed)

    def export() -> NeuralNetwork:
        linear = [m for m in net if isinstance(m, nn.Linear)]
        return NeuralNetwork(
            [m.weight.detach().numpy().copy() for m in linear],
            [m.bias.detach().numpy().copy() for m in linear],
            hp.activation,
            classification,
            target_mean,
            target_scale,
        )

    best: NeuralNetwork | None = None
    best_loss = math.inf
    stale = 0
    n = len(x_train)
    for epoch in range(1, hp.epochs + 1):
        net.train()
        order = torch.randperm(n, generator=generator)
        total_loss = 0.0
        last_check = time.monotonic()
        for start in range(0, n, hp.batch_size):
            if time.monotonic() - last_check > 1.0:  # long epochs still notice a cancellation promptly
                last_check = time.monotonic()
                report(epoch - 1, hp.epochs, message=f"epoch {epoch}: row {start}/{n}")
            batch = order[start : start + hp.batch_size]
            optimizer.zero_grad()
            logits = net(x_train[batch])
            target = y_train[batch]
            if outputs == 1:
                logits = logits[:, 0]
                target = target.float() if classification else target
            loss = loss_fn(logits, target)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(batch)
        net.eval()
        current = export()
        train_loss = total_loss / n
        if not classification:
            train_loss *= target_scale**2
        metrics = held_out_metrics(data.task, current.output(x_val), data.y_val)
        if split is None:
            best = current
        else:
            stop_rows = split[1]
            stopping_loss = held_out_metrics(data.task, current.output(x_all[stop_rows]), data.y_train[stop_rows])
            metrics["stopping_loss"] = stopping_loss["val_loss"]
            if metrics["stopping_loss"] < best_loss - 1e-9:
                best, best_loss, stale = current, metrics["stopping_loss"], 0
            else:
                stale += 1
        report(
            epoch,
            hp.epochs,
            message=f"epoch {epoch}",
            loss=train_loss,
            learning_rate=hp.learning_rate,
            **metrics,
        )
        if hp.early_stopping_patience is not None and stale >= hp.early_stopping_patience:
            report(hp.epochs, hp.epochs, message=f"early stop at epoch {epoch}", loss=train_loss, **metrics)
            break
    assert best is not None
    return best

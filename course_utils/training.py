"""A small, general training loop for when the loop itself is not the lesson."""
import torch
from tqdm.auto import tqdm


def batches(*tensors, batch_size=64, shuffle=True, generator=None):
    """Yield mini-batches (tuples) of equally long tensors, shuffled with ``generator`` if given."""
    n = len(tensors[0])
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield tuple(t[idx] for t in tensors)


def _as_loader(data, batch_size, shuffle, generator):
    """A DataLoader-like iterable: DataLoaders and lists of batches pass through; a tuple of tensors is batched."""
    if isinstance(data, tuple):
        return lambda: batches(*data, batch_size=batch_size, shuffle=shuffle, generator=generator)
    return lambda: iter(data)


def _to(batch, device):
    return [t.to(device) if torch.is_tensor(t) else t for t in batch]


@torch.no_grad()
def evaluate(model, data, loss_fn, metric_fn=None, device="cpu", batch_size=256):
    """Mean loss (and mean metric) of ``model`` over ``data`` (a tuple (X, y) or an iterable of (x, y))."""
    model.eval()
    total, loss_sum, metric_sum = 0, 0.0, 0.0
    for x, y in _as_loader(data, batch_size, False, None)():
        x, y = _to((x, y), device)
        out = model(x)
        loss_sum += float(loss_fn(out, y)) * len(x)
        if metric_fn is not None:
            metric_sum += float(metric_fn(out, y)) * len(x)
        total += len(x)
    return (loss_sum / total, metric_sum / total) if metric_fn is not None else loss_sum / total


def fit(model, train_data, loss_fn, optimizer, epochs=10, val_data=None, metric_fn=None, device="cpu",
        batch_size=64, step_fn=None, seed=0, scheduler=None, progress=True, desc="training", also_val=None):
    """Train ``model`` for ``epochs`` epochs and return its history (lists of per-epoch values).

    ``train_data``/``val_data``: a tuple (X, y) of tensors (batched here, shuffled with ``seed``) or any iterable of
    (x, y) batches such as a DataLoader. ``step_fn(model, x, y)``, if given, replaces the default step
    (forward, loss, backward, optimizer step) and must return the batch loss. ``metric_fn(output, y)`` is
    averaged over the validation data (e.g. accuracy). ``also_val``: a dict {name: data} of further sets
    evaluated after every epoch, recorded as ``{name}_loss`` and ``{name}_metric``."""
    generator = torch.Generator().manual_seed(seed)
    loader = _as_loader(train_data, batch_size, True, generator)
    history = {"train_loss": []}
    if val_data is not None:
        history["val_loss"] = []
        if metric_fn is not None:
            history["val_metric"] = []
    bar = tqdm(range(epochs), desc=desc, disable=not progress, leave=False)
    for _ in bar:
        model.train()
        total, loss_sum = 0, 0.0
        for x, y in loader():
            x, y = _to((x, y), device)
            if step_fn is None:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
            else:
                loss = step_fn(model, x, y)
            loss_sum += float(loss.detach() if torch.is_tensor(loss) else loss) * len(x)
            total += len(x)
        if scheduler is not None:
            scheduler.step()
        history["train_loss"].append(loss_sum / total)
        postfix = {"train_loss": f"{history['train_loss'][-1]:.4f}"}
        if val_data is not None:
            result = evaluate(model, val_data, loss_fn, metric_fn, device)
            val_loss, val_metric = result if metric_fn is not None else (result, None)
            history["val_loss"].append(val_loss)
            postfix["val_loss"] = f"{val_loss:.4f}"
            if metric_fn is not None:
                history["val_metric"].append(val_metric)
                postfix["val_metric"] = f"{val_metric:.4f}"
        for name, data in (also_val or {}).items():
            result = evaluate(model, data, loss_fn, metric_fn, device)
            history.setdefault(f"{name}_loss", []).append(result[0] if metric_fn is not None else result)
            if metric_fn is not None:
                history.setdefault(f"{name}_metric", []).append(result[1])
        bar.set_postfix(postfix)
    return history

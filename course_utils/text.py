"""Character-level text for language models: a vocabulary, a train/validation split, batches of windows and a
reference recurrent language model.

A language model reads a long string as a sequence of integer ids. Training draws random *windows* of
``block_size + 1`` consecutive characters: the first ``block_size`` are the input, the same window shifted by one
character is the target (the next character at every position).
"""
import torch
from torch import nn

from .data import load_shakespeare


class CharVocab:
    """The characters of a text, sorted, with their integer ids.

    ``encode(text)`` maps a string to a LongTensor of ids; a character that is not in the vocabulary raises a
    ``KeyError``, unless ``unknown`` names a character of the vocabulary that stands in for it.
    ``decode(ids)`` maps ids (a tensor or a list) back to a string."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def __contains__(self, char):
        return char in self.index

    def encode(self, text, unknown=None):
        if unknown is not None and unknown not in self.index:
            raise ValueError(f"the stand-in {unknown!r} is not in the vocabulary")
        try:
            ids = [self.index[c] if unknown is None else self.index.get(c, self.index[unknown]) for c in text]
        except KeyError as err:
            raise KeyError(f"character {err.args[0]!r} is not in the vocabulary; pass unknown=' ' to replace it") from None
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids):
        if torch.is_tensor(ids):
            ids = ids.tolist()
        return "".join(self.chars[i] for i in ids)


def shakespeare_split(val_fraction=0.1):
    """Tiny Shakespeare encoded: returns (vocab, train_ids, val_ids), the validation part being the last
    ``val_fraction`` of the text (a contiguous split: no window of the validation text occurs in training)."""
    text = load_shakespeare()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    n_train = int(round(len(ids) * (1 - val_fraction)))
    return vocab, ids[:n_train], ids[n_train:]


def sample_windows(ids, block_size, batch_size, generator=None):
    """A batch of random windows: (x, y), both LongTensors (batch_size, block_size), y = x shifted by one."""
    starts = torch.randint(0, len(ids) - block_size, (batch_size,), generator=generator)
    offsets = torch.arange(block_size + 1)
    windows = ids[starts[:, None] + offsets]
    return windows[:, :-1], windows[:, 1:]


class WindowBatches:
    """An iterable of ``steps`` random batches of windows, a new draw each time it is iterated (an "epoch" of
    ``course_utils.training.fit``), reproducible from ``seed``."""

    def __init__(self, ids, block_size, batch_size, steps, seed=0):
        self.ids, self.block_size, self.batch_size, self.steps = ids, block_size, batch_size, steps
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self):
        return self.steps

    def __iter__(self):
        for _ in range(self.steps):
            yield sample_windows(self.ids, self.block_size, self.batch_size, self.generator)


def fixed_windows(ids, block_size, n_windows, seed=0):
    """``n_windows`` windows drawn once with ``seed``: a fixed evaluation set (x, y), the same in every run."""
    return sample_windows(ids, block_size, n_windows, torch.Generator().manual_seed(seed))


def sequence_loss(logits, targets):
    """Mean cross-entropy (nats per character) of logits (B, T, V) against targets (B, T)."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@torch.no_grad()
def evaluate_loss(model, windows, batch_size=128):
    """Mean loss in nats per character of ``model`` (ids (B, T) -> logits (B, T, V)) on the windows (x, y)."""
    model.eval()
    device = next(model.parameters()).device
    x, y = windows
    total = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size].to(device), y[start:start + batch_size].to(device)
        total += float(sequence_loss(model(xb), yb)) * len(xb)
    return total / len(x)


class CharLSTM(nn.Module):
    """A recurrent character language model: embedding, LSTM layers, linear read-out.

    ``forward(ids)`` maps (B, T) ids to (B, T, V) logits, starting from a zero state (like the Transformer, it
    sees only the window it is given)."""

    def __init__(self, vocab_size, d_model=128, hidden=256, layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lstm = nn.LSTM(d_model, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))
        return self.head(out)

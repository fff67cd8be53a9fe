"""Unit tests of course_utils.text: vocabulary, split, windows and the reference LSTM."""
import pytest
import torch

from course_utils import text
from course_utils.training import fit


def test_vocab_round_trip_and_unknown_characters():
    vocab = text.CharVocab("hello world\n")
    assert vocab.chars == sorted(set("hello world\n")) and len(vocab) == 9
    ids = vocab.encode("world")
    assert ids.dtype == torch.int64 and vocab.decode(ids) == "world" and vocab.decode(ids.tolist()) == "world"
    assert "h" in vocab and "z" not in vocab
    with pytest.raises(KeyError, match="not in the vocabulary"):
        vocab.encode("hez")
    assert vocab.decode(vocab.encode("héz!", unknown=" ")) == "h   "
    with pytest.raises(ValueError):
        vocab.encode("x", unknown="?")


def test_shakespeare_split_is_contiguous_and_complete():
    vocab, train, val = text.shakespeare_split()
    assert len(vocab) == 65
    assert len(train) + len(val) == 1_115_394
    assert abs(len(val) / (len(train) + len(val)) - 0.1) < 1e-5
    assert vocab.decode(train[:14]) == "First Citizen:"
    assert vocab.decode(val[-10:]) == text.load_shakespeare()[-10:]


def test_windows_are_shifted_copies_of_the_text():
    ids = torch.arange(100)
    x, y = text.sample_windows(ids, 8, 5, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 8)
    assert torch.equal(y, x + 1) and torch.equal(x[:, 1:], x[:, :-1] + 1) and int(y.max()) <= 99
    a = text.fixed_windows(ids, 8, 5, seed=3)
    b = text.fixed_windows(ids, 8, 5, seed=3)
    assert torch.equal(a[0], b[0])


def test_window_batches_repeat_with_the_seed_and_change_every_epoch():
    ids = torch.arange(1000)
    batches = text.WindowBatches(ids, 16, 4, steps=3, seed=1)
    first, second = list(batches), list(batches)
    assert len(batches) == 3 and len(first) == 3
    assert not torch.equal(first[0][0], second[0][0])
    assert torch.equal(list(text.WindowBatches(ids, 16, 4, steps=3, seed=1))[0][0], first[0][0])


def test_sequence_loss_and_evaluate_loss():
    logits = torch.randn(2, 5, 7)
    targets = torch.randint(0, 7, (2, 5))
    expected = torch.nn.functional.cross_entropy(logits.permute(0, 2, 1), targets)
    assert torch.allclose(text.sequence_loss(logits, targets), expected)
    uniform = torch.nn.Sequential(torch.nn.Embedding(7, 3), torch.nn.Linear(3, 7))
    torch.nn.init.zeros_(uniform[1].weight), torch.nn.init.zeros_(uniform[1].bias)
    windows = text.fixed_windows(torch.randint(0, 7, (200,)), 10, 33)
    assert abs(text.evaluate_loss(uniform, windows, batch_size=8) - torch.log(torch.tensor(7.0)).item()) < 1e-5


def test_char_lstm_is_causal_and_learns_with_fit():
    torch.manual_seed(0)
    ids = torch.arange(400) % 5                         # a periodic text: perfectly predictable from one character
    model = text.CharLSTM(5, d_model=8, hidden=16)
    x = torch.randint(0, 5, (2, 12))
    x2 = x.clone()
    x2[:, 7:] = (x2[:, 7:] + 1) % 5
    with torch.no_grad():
        assert model(x).shape == (2, 12, 5)
        assert torch.allclose(model(x)[:, :7], model(x2)[:, :7])
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    history = fit(model, text.WindowBatches(ids, 12, 8, steps=20), text.sequence_loss, opt, epochs=3, progress=False)
    assert history["train_loss"][-1] < 0.3

"""Correct solutions for notebook 04 written independently of the reference; together they must score full
points (tests/test_adversarial.py grades them in the sandbox)."""

ALTERNATIVES = [
    dict(replace="pre_emphasis", why="pad-based pre-emphasis",
         source="COEFF = 0.85\n\n\ndef pre_emphasis(x, coeff=COEFF):\n"
                "    import torch.nn.functional as F\n"
                "    return x - coeff * F.pad(x[..., :-1], (1, 0))"),
    dict(replace="esr_loss", why="mse_loss-based ESR",
         source="def esr_loss(pred, target, coeff=COEFF, eps=1e-8):\n"
                "    import torch.nn.functional as F\n"
                "    p, t = pre_emphasis(pred, coeff), pre_emphasis(target, coeff)\n"
                "    return F.mse_loss(p, t) / (torch.mean(t * t) + eps)"),
    dict(replace="memoryless", why="separate layers, torch.tanh",
         source="class Memoryless(nn.Module):\n    def __init__(self, hidden=32):\n        super().__init__()\n"
                "        self.a = nn.Linear(1, hidden)\n        self.b = nn.Linear(hidden, hidden)\n"
                "        self.c = nn.Linear(hidden, 1)\n\n    def forward(self, x):\n"
                "        h = torch.tanh(self.a(x[..., None]))\n        h = torch.tanh(self.b(h))\n"
                "        return self.c(h)[..., 0]"),
    dict(replace="amp_lstm",
         why="other attribute names, explicit (h, c) detach",
         source="class AmpLSTM(nn.Module):\n    def __init__(self, hidden=16):\n        super().__init__()\n"
                "        self.state = None\n"
                "        self.rnn = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)\n"
                "        self.readout = nn.Linear(hidden, 1)\n\n"
                "    def reset_state(self):\n        self.state = None\n\n"
                "    def detach_state(self):\n        if self.state is not None:\n"
                "            h, c = self.state\n            self.state = (h.detach(), c.detach())\n\n"
                "    def forward(self, x):\n        h, self.state = self.rnn(x[:, :, None], self.state)\n"
                "        return x + self.readout(h)[:, :, 0]"),
    dict(replace="train_batch", why="zero_grad first, stacked mean",
         source="WARMUP = 1000\nCHUNK = 500\nMAX_NORM = 1.0\n\n\n"
                "def train_batch(model, optimizer, dry, wet, warmup=WARMUP, chunk=CHUNK, coeff=COEFF, max_norm=MAX_NORM):\n"
                "    model.reset_state()\n    with torch.no_grad():\n        _ = model(dry[:, :warmup])\n"
                "    losses = []\n    T = dry.shape[1]\n    start = warmup\n"
                "    while start < T:\n        optimizer.zero_grad()\n"
                "        loss = esr_loss(model(dry[:, start:start + chunk]), wet[:, start:start + chunk], coeff=coeff)\n"
                "        loss.backward()\n        nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)\n"
                "        optimizer.step()\n        model.detach_state()\n        losses.append(loss.detach())\n"
                "        start += chunk\n    return torch.stack(losses).mean().item()"),
    dict(replace="process_clip", why="loop with no_grad decorator",
         source="@torch.no_grad()\ndef process_clip(model, dry, chunk=SR):\n"
                "    dev = next(model.parameters()).device\n    model.reset_state()\n    out = []\n"
                "    for s in range(0, len(dry), chunk):\n"
                "        out.append(model(dry[s:s + chunk].unsqueeze(0).to(dev)).squeeze(0).detach().cpu())\n"
                "    return torch.cat(out)"),
    dict(replace="process", why="other chunk size",
         source="def process(dry):\n    return process_clip(lstm_model, dry, chunk=4096)"),
]

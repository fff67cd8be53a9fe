"""Plausible wrong solutions for notebook 04; each graded test cell must fail on at least one."""

MUTANTS = [
    dict(replace="pre_emphasis", fails=["test_pre_emphasis"], why="torch.roll wraps the last sample round to x[-1]",
         source="COEFF = 0.85\n\n\ndef pre_emphasis(x, coeff=COEFF):\n"
                "    return x - coeff * torch.roll(x, 1, dims=-1)"),
    dict(replace="pre_emphasis", fails=["test_pre_emphasis"], why="filters along the first dimension of a batch",
         source="COEFF = 0.85\n\n\ndef pre_emphasis(x, coeff=COEFF):\n"
                "    return torch.cat([x[:1], x[1:] - coeff * x[:-1]], dim=0)"),
    dict(replace="esr_loss", fails=["test_esr_loss"], why="forgets the pre-emphasis",
         source="def esr_loss(pred, target, coeff=COEFF, eps=1e-8):\n"
                "    return (target - pred).pow(2).mean() / (target.pow(2).mean() + eps)"),
    dict(replace="esr_loss", fails=["test_esr_loss"], why="divides by the energy of the prediction",
         source="def esr_loss(pred, target, coeff=COEFF, eps=1e-8):\n"
                "    pred, target = pre_emphasis(pred, coeff), pre_emphasis(target, coeff)\n"
                "    return (target - pred).pow(2).mean() / (pred.pow(2).mean() + eps)"),
    dict(replace="esr_loss", fails=["test_esr_loss"], why="averages the per-sequence ratios instead of one ratio",
         source="def esr_loss(pred, target, coeff=COEFF, eps=1e-8):\n"
                "    pred, target = pre_emphasis(pred, coeff), pre_emphasis(target, coeff)\n"
                "    return ((target - pred).pow(2).mean(-1) / (target.pow(2).mean(-1) + eps)).mean()"),
    dict(replace="q_preemphasis", fails=["test_q_preemphasis"], why="thinks it removes DC", source='answer_preemphasis = "a"'),
    dict(replace="memoryless", fails=["test_memoryless"], why="ReLU instead of Tanh",
         source="class Memoryless(nn.Module):\n"
                "    def __init__(self, hidden=32):\n"
                "        super().__init__()\n"
                "        self.net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),\n"
                "                                 nn.Linear(hidden, 1))\n\n"
                "    def forward(self, x):\n"
                "        return self.net(x.unsqueeze(-1)).squeeze(-1)"),
    dict(replace="amp_lstm", fails=["test_amp_lstm"], why="no skip connection",
         source="class AmpLSTM(nn.Module):\n"
                "    def __init__(self, hidden=16):\n"
                "        super().__init__()\n"
                "        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)\n"
                "        self.linear = nn.Linear(hidden, 1)\n"
                "        self.state = None\n\n"
                "    def reset_state(self):\n"
                "        self.state = None\n\n"
                "    def detach_state(self):\n"
                "        if self.state is not None:\n"
                "            self.state = tuple(s.detach() for s in self.state)\n\n"
                "    def forward(self, x):\n"
                "        out, self.state = self.lstm(x.unsqueeze(-1), self.state)\n"
                "        return self.linear(out).squeeze(-1)"),
    dict(replace="amp_lstm", fails=["test_amp_lstm"], why="detach_state forgets the state instead of detaching it",
         source="class AmpLSTM(nn.Module):\n"
                "    def __init__(self, hidden=16):\n"
                "        super().__init__()\n"
                "        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)\n"
                "        self.linear = nn.Linear(hidden, 1)\n"
                "        self.state = None\n\n"
                "    def reset_state(self):\n"
                "        self.state = None\n\n"
                "    def detach_state(self):\n"
                "        self.state = None\n\n"
                "    def forward(self, x):\n"
                "        out, self.state = self.lstm(x.unsqueeze(-1), self.state)\n"
                "        return self.linear(out).squeeze(-1) + x"),
    dict(replace="train_batch", fails=["test_train_batch"], why="no warm-up: the loss also covers the first samples",
         source="WARMUP = 1000\nCHUNK = 500\nMAX_NORM = 1.0\n\n\n"
                "def train_batch(model, optimizer, dry, wet, warmup=WARMUP, chunk=CHUNK, coeff=COEFF, max_norm=MAX_NORM):\n"
                "    model.reset_state()\n"
                "    losses = []\n"
                "    for start in range(0, dry.shape[1], chunk):\n"
                "        loss = esr_loss(model(dry[:, start:start + chunk]), wet[:, start:start + chunk], coeff)\n"
                "        optimizer.zero_grad()\n"
                "        loss.backward()\n"
                "        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
                "        optimizer.step()\n"
                "        model.detach_state()\n"
                "        losses.append(loss.item())\n"
                "    return sum(losses) / len(losses)"),
    dict(replace="train_batch", fails=["test_train_batch"], why="never clips the gradient",
         source="WARMUP = 1000\nCHUNK = 500\nMAX_NORM = 1.0\n\n\n"
                "def train_batch(model, optimizer, dry, wet, warmup=WARMUP, chunk=CHUNK, coeff=COEFF, max_norm=MAX_NORM):\n"
                "    model.reset_state()\n"
                "    with torch.no_grad():\n"
                "        model(dry[:, :warmup])\n"
                "    losses = []\n"
                "    for start in range(warmup, dry.shape[1], chunk):\n"
                "        loss = esr_loss(model(dry[:, start:start + chunk]), wet[:, start:start + chunk], coeff)\n"
                "        optimizer.zero_grad()\n"
                "        loss.backward()\n"
                "        optimizer.step()\n"
                "        model.detach_state()\n"
                "        losses.append(loss.item())\n"
                "    return sum(losses) / len(losses)"),
    dict(replace="train_batch", fails=["test_train_batch"], why="does not reset the state left by the previous batch",
         source="WARMUP = 1000\nCHUNK = 500\nMAX_NORM = 1.0\n\n\n"
                "def train_batch(model, optimizer, dry, wet, warmup=WARMUP, chunk=CHUNK, coeff=COEFF, max_norm=MAX_NORM):\n"
                "    with torch.no_grad():\n"
                "        model(dry[:, :warmup])\n"
                "    losses = []\n"
                "    for start in range(warmup, dry.shape[1], chunk):\n"
                "        loss = esr_loss(model(dry[:, start:start + chunk]), wet[:, start:start + chunk], coeff)\n"
                "        optimizer.zero_grad()\n"
                "        loss.backward()\n"
                "        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
                "        optimizer.step()\n"
                "        model.detach_state()\n"
                "        losses.append(loss.item())\n"
                "    return sum(losses) / len(losses)"),
    dict(replace="train_batch", fails=["test_train_batch", "test_lstm_quality"],
         why="forgets optimizer.step(): the weights never change",
         source="WARMUP = 1000\nCHUNK = 500\nMAX_NORM = 1.0\n\n\n"
                "def train_batch(model, optimizer, dry, wet, warmup=WARMUP, chunk=CHUNK, coeff=COEFF, max_norm=MAX_NORM):\n"
                "    model.reset_state()\n"
                "    with torch.no_grad():\n"
                "        model(dry[:, :warmup])\n"
                "    losses = []\n"
                "    for start in range(warmup, dry.shape[1], chunk):\n"
                "        loss = esr_loss(model(dry[:, start:start + chunk]), wet[:, start:start + chunk], coeff)\n"
                "        optimizer.zero_grad()\n"
                "        loss.backward()\n"
                "        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
                "        model.detach_state()\n"
                "        losses.append(loss.item())\n"
                "    return sum(losses) / len(losses)"),
    dict(replace="q_warmup", fails=["test_q_warmup"], why="thinks the warm-up saves memory", source='answer_warmup = "a"'),
    dict(replace="process_clip", fails=["test_process_clip"], why="resets the state before every chunk",
         source="def process_clip(model, dry, chunk=SR):\n"
                "    dev = next(model.parameters()).device\n"
                "    outputs = []\n"
                "    with torch.no_grad():\n"
                "        for part in dry.split(chunk):\n"
                "            model.reset_state()\n"
                "            outputs.append(model(part[None].to(dev))[0].cpu())\n"
                "    return torch.cat(outputs)"),
    dict(replace="process_clip", fails=["test_process_clip"], why="never resets the state: a stale state leaks in",
         source="def process_clip(model, dry, chunk=SR):\n"
                "    dev = next(model.parameters()).device\n"
                "    with torch.no_grad():\n"
                "        outputs = [model(part[None].to(dev))[0].cpu() for part in dry.split(chunk)]\n"
                "    return torch.cat(outputs)"),
    dict(replace="process", fails=["test_process"], why="runs the memoryless baseline instead of the LSTM",
         source="def process(dry):\n"
                "    with torch.no_grad():\n"
                "        return memoryless(dry[None].to(device))[0].cpu()"),
    dict(replace="q_memory", fails=["test_q_memory"], why="blames the model size", source='answer_memory = "a"'),
]

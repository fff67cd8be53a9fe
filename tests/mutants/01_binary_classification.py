"""Plausible wrong solutions for notebook 01; each graded test cell must fail on at least one."""

MUTANTS = [
    dict(replace="sigmoid", fails=["test_sigmoid"], why="textbook formula: exp overflows, nan gradient",
         source="def sigmoid(z):\n    return 1 / (1 + torch.exp(-z))"),
    dict(replace="bce", fails=["test_bce"], why="log of the sigmoid: -inf for confident mistakes",
         source="def bce_with_logits(logits, targets):\n"
                "    p = torch.sigmoid(logits)\n"
                "    return -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p)).mean()"),
    dict(replace="gradients", fails=["test_gradients"], why="sum instead of mean over the examples",
         source="def logistic_gradients(X, y, a, b):\n"
                "    error = torch.sigmoid(X @ a + b) - y\n"
                "    return X.T @ error, error.sum()"),
    dict(replace="gd_step", fails=["test_gd_step"], why="gradients never reset: they accumulate",
         source="def gd_step(a, b, X, y, lr):\n"
                "    loss = bce_with_logits(X @ a + b, y)\n"
                "    loss.backward()\n"
                "    with torch.no_grad():\n"
                "        a -= lr * a.grad\n"
                "        b -= lr * b.grad\n"
                "    return loss.item()"),
    dict(replace="gd_step", fails=["test_gd_step", "test_logistic_quality"], why="gradient ascent (wrong sign)",
         source="def gd_step(a, b, X, y, lr):\n"
                "    loss = bce_with_logits(X @ a + b, y)\n"
                "    loss.backward()\n"
                "    with torch.no_grad():\n"
                "        a += lr * a.grad\n"
                "        b += lr * b.grad\n"
                "    a.grad.zero_()\n"
                "    b.grad.zero_()\n"
                "    return loss.item()"),
    dict(replace="accuracy", fails=["test_accuracy"], why="no flattening: (N, 1) == (N,) broadcasts to (N, N)",
         source="def accuracy(probs, labels):\n"
                "    return ((probs >= 0.5).float() == labels).float().mean().item()"),
    dict(replace="q_xor", fails=["test_q_xor"], why="blames the learning rate", source='answer_xor = "a"'),
    dict(replace="mlp", fails=["test_mlp", "test_mlp_quality"], why="no nonlinearity: the network stays linear",
         source="class MLP(nn.Module):\n"
                "    def __init__(self, hidden=32, depth=1):\n"
                "        super().__init__()\n"
                "        layers, width = [], 2\n"
                "        for _ in range(depth):\n"
                "            layers.append(nn.Linear(width, hidden))\n"
                "            width = hidden\n"
                "        layers.append(nn.Linear(width, 1))\n"
                "        self.net = nn.Sequential(*layers)\n\n"
                "    def forward(self, x):\n"
                "        return self.net(x).squeeze(-1)"),
    dict(replace="train_step", fails=["test_train_step"], why="forgets optimizer.zero_grad()",
         source="def train_step(model, optimizer, x, y):\n"
                "    loss = bce_with_logits(model(x), y)\n"
                "    loss.backward()\n"
                "    optimizer.step()\n"
                "    return loss.item()"),
    dict(replace="q_relu", fails=["test_q_relu"], why="thinks the boundary stays a line", source='answer_relu = "b"'),
    dict(replace="early_stopping", fails=["test_early_stopping"], why="the minimum of the whole run: ignores patience",
         source="def early_stopping_epoch(val_losses, patience):\n"
                "    if len(val_losses) == 0:\n"
                "        raise ValueError('no losses')\n"
                "    return min(range(len(val_losses)), key=lambda i: (float(val_losses[i]), i))"),
    dict(replace="early_stopping", fails=["test_early_stopping"], why="counts an equal loss as an improvement",
         edits=[("if val_losses[epoch] < val_losses[best]:", "if val_losses[epoch] <= val_losses[best]:")]),
    dict(replace="early_stopping", fails=["test_early_stopping"], why="never resets the count after an improvement",
         edits=[("best, waited = epoch, 0", "best = epoch")]),
    dict(replace="q_overfit", fails=["test_q_overfit"], why="blames the size of the validation set", source='answer_overfit = "a"'),
]

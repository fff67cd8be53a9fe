"""Correct solutions for notebook 01 written independently of the reference; together they must score full
points (tests/test_adversarial.py grades them in the sandbox)."""

ALTERNATIVES = [
    dict(replace="sigmoid", why="the negative branch as 1 - sigma(|z|)",
         source="def sigmoid(z):\n"
                "    e = torch.exp(torch.where(z < 0, z, -z))\n"
                "    upper = 1.0 / (1.0 + e)\n"
                "    return torch.where(z < 0, 1.0 - upper, upper)"),
    dict(replace="bce", why="softplus identities: log(1 + e^x) - y x",
         source="def bce_with_logits(logits, targets):\n"
                "    return (F.softplus(logits) - targets * logits).mean()"),
    dict(replace="gradients", why="per-example sums written out with broadcasting",
         source="def logistic_gradients(X, y, a, b):\n"
                "    n = X.shape[0]\n"
                "    residual = torch.sigmoid(X @ a + b) - y\n"
                "    grad_a = (residual[:, None] * X).sum(dim=0) / n\n"
                "    grad_b = residual.sum() / n\n"
                "    return grad_a, grad_b"),
    dict(replace="gd_step", why="torch.autograd.grad instead of backward(), update with sub_",
         source="def gd_step(a, b, X, y, lr):\n"
                "    loss = bce_with_logits(X @ a + b, y)\n"
                "    ga, gb = torch.autograd.grad(loss, [a, b])\n"
                "    with torch.no_grad():\n"
                "        a.sub_(lr * ga)\n"
                "        b.sub_(lr * gb)\n"
                "    return float(loss)"),
    dict(replace="accuracy", why="counts correct predictions with flatten and eq",
         source="def accuracy(probs, labels):\n"
                "    p, t = probs.flatten(), labels.flatten()\n"
                "    correct = (p >= 0.5).eq(t >= 0.5).sum().item()\n"
                "    return correct / t.numel()"),
    dict(replace="mlp", why="a ModuleList and an explicit loop in forward",
         source="class MLP(nn.Module):\n"
                "    def __init__(self, hidden=32, depth=1):\n"
                "        super().__init__()\n"
                "        sizes = [2] + [hidden] * depth\n"
                "        self.hidden_layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))\n"
                "        self.out = nn.Linear(sizes[-1], 1)\n\n"
                "    def forward(self, x):\n"
                "        for layer in self.hidden_layers:\n"
                "            x = torch.relu(layer(x))\n"
                "        return self.out(x).view(-1)"),
    dict(replace="train_step", why="set_to_none gradients after the step instead of before",
         source="def train_step(model, optimizer, x, y):\n"
                "    loss = F.binary_cross_entropy_with_logits(model(x), y.float())\n"
                "    loss.backward()\n"
                "    optimizer.step()\n"
                "    optimizer.zero_grad(set_to_none=True)\n"
                "    return loss.detach().item()"),
    dict(replace="early_stopping", why="argmin bookkeeping over epochs, stop after patience non-improvements",
         source="def early_stopping_epoch(val_losses, patience):\n"
                "    if not len(val_losses):\n"
                "        raise ValueError('empty list of validation losses')\n"
                "    best_epoch = 0\n"
                "    for epoch, loss in enumerate(val_losses):\n"
                "        if loss < val_losses[best_epoch]:\n"
                "            best_epoch = epoch\n"
                "        elif epoch - best_epoch >= patience:\n"
                "            break\n"
                "    return best_epoch"),
]

"""Plausible wrong solutions for notebook 03; each graded test cell must fail on at least one."""

_LOG_MEL = ("def log_mel(waves):\n"
            "    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP,\n"
            "                                               n_mels=N_MELS).to(waves.device)\n"
            "    return torch.log(mel(waves) + LOG_EPS)\n")

_CNN_INIT = ("class DigitCNN(nn.Module):\n"
             "    def __init__(self, channels=(16, 32, 64, 128), n_classes=10):\n"
             "        super().__init__()\n"
             "        layers, c_in = [], 1\n"
             "        for c in channels:\n")
_CNN_END = ("            c_in = c\n"
            "        self.blocks = nn.Sequential(*layers)\n"
            "        self.head = nn.Linear(c_in, n_classes)\n\n"
            "    def forward(self, x):\n"
            "        return self.head(self.blocks(x).mean(dim=(-2, -1)))\n")

_SPEC_AUGMENT_HEAD = ("def spec_augment(x, max_freq=8, max_time=10, generator=None):\n"
                      "    B, _, M, N = x.shape\n")

MUTANTS = [
    dict(replace="features", fails=["test_features"], why="pads and crops at the end instead of centring",
         source="def pad_or_crop(wave, length):\n"
                "    return F.pad(wave, (0, max(0, length - len(wave))))[:length]\n\n\n" + _LOG_MEL),
    dict(replace="features", fails=["test_features"], why="log of the mel power without the floor: -inf on padding",
         source="def pad_or_crop(wave, length):\n"
                "    n = len(wave)\n"
                "    if n >= length:\n"
                "        return wave[(n - length) // 2:(n - length) // 2 + length]\n"
                "    return F.pad(wave, ((length - n) // 2, length - n - (length - n) // 2))\n\n\n"
                "def log_mel(waves):\n"
                "    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP,\n"
                "                                               n_mels=N_MELS).to(waves.device)\n"
                "    return torch.log(mel(waves))\n"),
    dict(replace="dataset", fails=["test_dataset"], why="normalises every set with its own statistics",
         source="class DigitDataset(Dataset):\n"
                "    def __init__(self, waves, labels, mean=None, std=None):\n"
                "        feats = log_mel(torch.stack([pad_or_crop(w, CLIP_SAMPLES) for w in waves]))\n"
                "        self.mean = feats.mean(dim=(0, 2))[:, None]\n"
                "        self.std = feats.std(dim=(0, 2))[:, None]\n"
                "        self.features = ((feats - self.mean) / self.std)[:, None]\n"
                "        self.labels = torch.as_tensor(labels, dtype=torch.long)\n\n"
                "    def __len__(self):\n"
                "        return len(self.labels)\n\n"
                "    def __getitem__(self, i):\n"
                "        return self.features[i], self.labels[i]\n"),
    dict(replace="dataset", fails=["test_dataset"], why="one mean and standard deviation for all mel bands",
         source="class DigitDataset(Dataset):\n"
                "    def __init__(self, waves, labels, mean=None, std=None):\n"
                "        feats = log_mel(torch.stack([pad_or_crop(w, CLIP_SAMPLES) for w in waves]))\n"
                "        if mean is None:\n"
                "            mean, std = feats.mean() * torch.ones(N_MELS, 1), feats.std() * torch.ones(N_MELS, 1)\n"
                "        self.mean, self.std = mean, std\n"
                "        self.features = ((feats - mean) / std)[:, None]\n"
                "        self.labels = torch.as_tensor(labels, dtype=torch.long)\n\n"
                "    def __len__(self):\n"
                "        return len(self.labels)\n\n"
                "    def __getitem__(self, i):\n"
                "        return self.features[i], self.labels[i]\n"),
    dict(replace="cross_entropy", fails=["test_cross_entropy"], why="log of the softmax without the max trick",
         source="def cross_entropy(logits, targets):\n"
                "    p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)\n"
                "    return -torch.log(p[torch.arange(len(targets)), targets]).mean()\n"),
    dict(replace="cnn", fails=["test_cnn"], why="ReLU before the batch norm",
         source=_CNN_INIT +
         "            layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(c), nn.MaxPool2d(2)]\n"
         + _CNN_END),
    dict(replace="cnn", fails=["test_cnn"], why="no batch normalisation",
         source=_CNN_INIT + "            layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]\n"
         + _CNN_END),
    dict(replace="train_step", fails=["test_train_step"], why="forgets optimizer.zero_grad()",
         source="def train_step(model, optimizer, x, y):\n"
                "    loss = cross_entropy(model(x), y)\n"
                "    loss.backward()\n"
                "    optimizer.step()\n"
                "    return loss.item()\n"),
    dict(replace="train_step", fails=["test_train_step", "test_model_quality"], why="never calls optimizer.step()",
         source="def train_step(model, optimizer, x, y):\n"
                "    optimizer.zero_grad()\n"
                "    loss = cross_entropy(model(x), y)\n"
                "    loss.backward()\n"
                "    return loss.item()\n"),
    dict(replace="predict_classes", fails=["test_predict_classes"], why="forgets model.eval(): batch statistics",
         source="def predict_classes(model, features, batch_size=256):\n"
                "    dev = next(model.parameters()).device\n"
                "    with torch.no_grad():\n"
                "        return torch.cat([model(features[i:i + batch_size].to(dev)).argmax(dim=1).cpu()\n"
                "                          for i in range(0, len(features), batch_size)])\n"),
    dict(replace="spec_augment", fails=["test_spec_augment"], why="one mask for the whole batch",
         source=_SPEC_AUGMENT_HEAD +
         "    f = int(torch.randint(0, max_freq + 1, (1,), generator=generator))\n"
         "    f0 = int(torch.randint(0, M - f + 1, (1,), generator=generator))\n"
         "    t = int(torch.randint(0, max_time + 1, (1,), generator=generator))\n"
         "    t0 = int(torch.randint(0, N - t + 1, (1,), generator=generator))\n"
         "    out = x.clone()\n"
         "    out[:, :, f0:f0 + f, :] = 0\n"
         "    out[:, :, :, t0:t0 + t] = 0\n"
         "    return out\n"),
    dict(replace="spec_augment", fails=["test_spec_augment"], why="masks in place: changes the training features",
         source=_SPEC_AUGMENT_HEAD +
         "    f = torch.randint(0, max_freq + 1, (B, 1), generator=generator)\n"
         "    f0 = (torch.rand(B, 1, generator=generator) * (M - f + 1)).long()\n"
         "    t = torch.randint(0, max_time + 1, (B, 1), generator=generator)\n"
         "    t0 = (torch.rand(B, 1, generator=generator) * (N - t + 1)).long()\n"
         "    bands, frames = torch.arange(M), torch.arange(N)\n"
         "    mask = ((bands >= f0) & (bands < f0 + f))[:, None, :, None] | "
         "((frames >= t0) & (frames < t0 + t))[:, None, None, :]\n"
         "    return x.masked_fill_(mask.to(x.device), 0.0)\n"),
    dict(replace="confusion", fails=["test_confusion"], why="rows are the predicted class (transposed)",
         source="def confusion_matrix(targets, preds, n_classes=10):\n"
                "    return torch.bincount(preds * n_classes + targets, minlength=n_classes ** 2).reshape(n_classes, n_classes)\n\n\n"
                "def precision_recall(cm):\n"
                "    cm = cm.double()\n"
                "    return cm.diagonal() / cm.sum(0).clamp(min=1), cm.diagonal() / cm.sum(1).clamp(min=1)\n"),
    dict(replace="confusion", fails=["test_confusion"], why="precision and recall swapped",
         source="def confusion_matrix(targets, preds, n_classes=10):\n"
                "    return torch.bincount(targets * n_classes + preds, minlength=n_classes ** 2).reshape(n_classes, n_classes)\n\n\n"
                "def precision_recall(cm):\n"
                "    cm = cm.double()\n"
                "    return cm.diagonal() / cm.sum(1).clamp(min=1), cm.diagonal() / cm.sum(0).clamp(min=1)\n"),
    dict(replace="q_precision", fails=["test_q_precision"], why="reads precision as recall", source='answer_precision = "a"'),
    dict(replace="q_speaker", fails=["test_q_speaker"], why="blames the number of epochs", source='answer_speaker = "b"'),
    dict(replace="predict", fails=["test_predict"], why="keeps the first second of a long clip",
         source="def predict(waveforms):\n"
                "    clips = torch.stack([F.pad(w.float(), (0, max(0, CLIP_SAMPLES - len(w))))[:CLIP_SAMPLES] for w in waveforms])\n"
                "    return predict_classes(model, ((log_mel(clips) - train_set.mean) / train_set.std)[:, None])\n"),
    dict(replace="predict", fails=["test_predict"], why="normalises with the statistics of the clips given",
         source="def predict(waveforms):\n"
                "    clips = torch.stack([pad_or_crop(w.float(), CLIP_SAMPLES) for w in waveforms])\n"
                "    feats = log_mel(clips)\n"
                "    feats = (feats - feats.mean(dim=(0, 2), keepdim=True)) / feats.std(dim=(0, 2), keepdim=True)\n"
                "    return predict_classes(model, feats[:, None])\n"),
]

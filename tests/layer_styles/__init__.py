"""Layer-level networks written the way people write them: the article's code as published, full-batch
and mini-batch training loops, per-sample-only layers, a bias appended last, an activation under
another name, and planted bugs among them.  Each module exposes `make(layers, activation)`."""

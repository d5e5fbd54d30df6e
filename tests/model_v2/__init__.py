"""Model-level code written the way tutorials write it, each with what the battery must say of it: step-only
classes, a parameters dict, mini-batch models, L2-regularised models, a factory taking `loss=`.  The
correct ones must pass; each planted bug must fail with its finding's kind."""

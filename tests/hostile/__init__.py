"""Plug-ins that misbehave in every way that could kill, hang or fool a harness.

Each module gives `make(layers, activation)`: the reference network with one hostile
behaviour, named in its docstring.  Those whose backpropagation is still right (they print,
reseed, fork, change numpy's error state) must get the very verdicts the reference gets; the
others must come out failed or errored, with one sentence saying why.  Modules named
`import_*` misbehave when imported, so they are only ever loaded as target strings.
"""

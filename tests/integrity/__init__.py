"""Code under test that tries to forge its verdict or outlive its check (run by tests/test_integrity.py).

Every one is a real mistake (the output error's sign flipped) plus an attack, so an attack that worked
would show as a verdict turned to "passed".  The attacks that leave processes or files behind are
bounded: if the defence failed, they would still end by themselves within seconds.
"""

"""`python -m backprop` is the `backprop` command."""

import sys

from .cli import main

sys.exit(main())

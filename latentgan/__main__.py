"""`python -m latentgan` runs the CLI."""

import sys

from latentgan.cli import main

sys.exit(main())

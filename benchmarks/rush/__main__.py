"""`python -m benchmarks.rush`: the rush benchmark (`./sentra bench`)."""

import sys

from benchmarks.rush.run import main

sys.exit(main())

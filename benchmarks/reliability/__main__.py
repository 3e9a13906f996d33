"""`python -m benchmarks.reliability`: the reliability command (`./sentra reliability`)."""

import sys

from benchmarks.reliability.run import main

sys.exit(main())

"""`python -m tinyml_lab ...`: see tinyml_lab.cli."""

import sys

from tinyml_lab.cli import main

sys.exit(main())

"""`python -m bench`: the benchmark suite, see bench.suite (`python -m bench.workers`: the
1-against-2-processes run on PostgreSQL)."""

from bench.suite import main

raise SystemExit(main())

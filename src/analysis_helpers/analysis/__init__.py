"""Statistics: comparators and their tests, required trajectories, projections and their backtest, outlooks, the status
rules, SPC, the budget path and the seed baselines. Returns numbers and words, never display strings or charts."""

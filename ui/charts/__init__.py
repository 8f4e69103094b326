"""Live charts and the min/max envelope behind them."""

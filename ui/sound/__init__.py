"""The bedside alarm sound: playback, its panel, and figures of the signals."""

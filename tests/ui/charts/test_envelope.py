import numpy as np

from ui.charts.envelope import Envelope


def test_envelope_keeps_every_bucket_extreme_incrementally():
    rng = np.random.default_rng(3)
    t = np.arange(0, 3600, 1.0)
    v = rng.normal(80, 5, len(t))
    whole = Envelope(30)
    whole.extend(t, v)
    pieces = Envelope(30)
    for a in range(0, len(t), 7):               # arrives a few samples at a time
        pieces.extend(t[a:a + 7], v[a:a + 7])
    for env in (whole, pieces):
        x, y = env.points()
        assert len(x) == 2 * 120
        for b in range(120):
            chunk = v[b * 30:(b + 1) * 30]
            assert y[2 * b] == chunk.min() and y[2 * b + 1] == chunk.max()
    assert np.array_equal(whole.points()[1], pieces.points()[1])

"""Audible alarm signals (IEC 60601-1-8) as data: patterns, synthesis and the
policy that decides what sounds, when and how loud. No Qt: the bedside window
and a central board both play what this package decides."""

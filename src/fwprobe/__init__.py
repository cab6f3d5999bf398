"""fwprobe: probe deep-learning environments against a framework catalog."""

__version__ = "0.1.0"

"""PaxCare: the after-sales service platform for airlines."""

__version__ = "0.1.0"

"""bankgame: a bank branch that teaches how parallel workers communicate."""

__version__ = "0.1.0"

"""Adversarial rows for training and evaluation, generated through ART."""

from ._exact_tree import exact_tree_attack
from ._generate import applicable_attacks, generate_adversarial

__all__ = [
    "applicable_attacks",
    "exact_tree_attack",
    "generate_adversarial",
]

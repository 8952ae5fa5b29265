"""Adversarial rows for training and evaluation, generated through ART."""

from ._exact_tree import exact_tree_attack
from ._generate import applicable_attacks, generate_adversarial
from ._sampler import AttackSampler

__all__ = [
    "AttackSampler",
    "applicable_attacks",
    "exact_tree_attack",
    "generate_adversarial",
]

"""The hubbub demo: a seeded synthetic airline social-listening world with planted answers."""

from hubbub.demo.world import DemoWorld, generate

__all__ = ["DemoWorld", "generate"]

"""Alembic migrations for the hubbub store; :func:`hubbub.store.Store.open` applies them."""

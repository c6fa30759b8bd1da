"""Bundled plugins: each module here is registered exactly as a third-party plugin is
(see ``hubbub.plugin_host.DEFAULT_PLUGINS``)."""

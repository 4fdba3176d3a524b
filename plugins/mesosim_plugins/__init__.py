"""The built-in technique plugins of mesosim.

Each module is one technique, registered through the ``mesosim`` entry-point group in
mesosim's own ``pyproject.toml``, exactly as a vendor's package registers its own.
"""

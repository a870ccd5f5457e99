"""The command line: the parser, one dispatch table, a module per subcommand.

The only package that composes things (sources, engine, feeds, the app).
"""

from fgtop.cli.main import main

__all__ = ["main"]

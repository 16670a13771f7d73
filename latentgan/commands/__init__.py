"""The work behind the CLI's image commands, one module per command; cli.py only parses arguments."""

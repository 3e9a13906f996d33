"""Settings split by environment: base (shared), local (one-command run), test, production."""

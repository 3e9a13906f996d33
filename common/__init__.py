"""Small pieces every package may use: no domain, no Django app, imports nothing of ours."""

"""Sign-in for pages (Flask-Login sessions) and bearer tokens for the API."""

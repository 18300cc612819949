"""Reminders: due-date rules as data, the scan that claims each reminder once, and delivery
(in the app, and by e-mail at once, in a daily digest, or to an agency contact)."""

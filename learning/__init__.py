"""The learning repository: recommendations from reviews and the tracking of their actions."""

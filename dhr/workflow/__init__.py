"""The review lifecycle: states, events, guards, clocks, agency requests and chair allocation."""

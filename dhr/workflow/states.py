"""The state names now live in the model layer (dhr.models.states); this name stays only so
that branches written before the move still import. New code imports dhr.models.states."""

from dhr.models.states import (  # noqa: F401
    FINAL_STATES,
    PUBLISHED_STATES,
    STATE_LABELS,
    STATES,
)

"""The public side, for anyone on the web: the widget and its assets, the chat and its live stream, the
web form, the follow page of a ticket link."""

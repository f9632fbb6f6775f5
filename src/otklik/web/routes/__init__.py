"""The public side's routes: the widget and its assets, the chat, the form, the ticket page, typing."""

"""Messages: inbound intake, public replies, internal notes, delivery state."""

"""The customer's data: the right to be forgotten and retention by channel and age."""

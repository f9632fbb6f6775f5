"""Read-only metrics over the desk: channel parity (time to first response and resolution rate per
channel, public against private) and the «went public» share week over week, with their alerts."""

"""Push delivery to devices: senders and the dispatcher that feeds them after commit."""

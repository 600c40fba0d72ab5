"""notifier: stores each event once and delivers it to webhooks and e-mail."""

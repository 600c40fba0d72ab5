"""Technical kit shared by case_api and notifier: settings, errors, tokens, database, logs."""

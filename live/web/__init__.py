"""The Flask adapter: settings, sessions, languages, headers, reports and the views."""

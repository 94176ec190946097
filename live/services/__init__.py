"""Services: load, apply one transition, save, and say what to announce to which rooms."""

"""Tools that drive a server from outside: the load generator and ``live loadtest``. The server never
imports them."""

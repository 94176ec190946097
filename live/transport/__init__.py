"""The transport's fast paths: live's WebSocket, the heartbeat, the admission gate, the garbage
collector, and every patch of a dependency (patches.py). The only place that touches the internals of
python-engineio, python-socketio, gevent and eventlet; it imports nothing else of live."""

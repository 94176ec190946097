"""The Socket.IO adapter: connections, event handlers, broadcasts, several processes over Redis."""

"""Pure rules of the conference: clock, floor, questions, conference, limits, PINs, access, text.

Nothing here imports Flask, Socket.IO, a store or does I/O: state in, state out, ``now`` passed in."""

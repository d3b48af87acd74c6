"""Hold IDLE idle connections and SLOW slowloris clients on 127.0.0.1:PORT
for SECONDS: python3 slowclients.py PORT IDLE SLOW SECONDS READY-FILE.
Idle ones connect and say nothing; slowloris ones send a header line
every 2 s and reconnect whenever spendd closes them (the header deadline).
Connections come from many loopback addresses (127.0.0.0/8 is all
loopback on Linux), so the per-address cap does not turn them away.
Prints a summary line."""
import selectors
import socket
import sys
import time

port, n_idle, n_slow, seconds, ready = (int(sys.argv[1]), int(sys.argv[2]),
                                         int(sys.argv[3]), float(sys.argv[4]),
                                         sys.argv[5])
PER_ADDR = 100
sel = selectors.DefaultSelector()
idle, slow = [], {}
reconnects = 0
failed = 0


def source(i, net):
    return "127.%d.%d.%d" % (net, 10 + i // PER_ADDR // 200, 10 + (i // PER_ADDR) % 200)


def open_conn(src, first):
    s = socket.socket()
    s.setblocking(True)
    s.settimeout(5)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    if first:
        s.send(first)
    return s


for i in range(n_idle):
    try:
        idle.append(open_conn(source(i, 1), None))
    except OSError:
        failed += 1
for i in range(n_slow):
    try:
        s = open_conn(source(i, 2), b"GET / HTTP/1.1\r\n")
        slow[s] = (i, 0)
        sel.register(s, selectors.EVENT_READ)
    except OSError:
        failed += 1
with open(ready, "w") as f:
    f.write("%d idle, %d slow, %d failed to connect\n" % (len(idle), len(slow), failed))
end = time.time() + seconds
next_tick = time.time() + 2
while time.time() < end:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        try:
            d = s.recv(4096)
        except OSError:
            d = b""
        if d:
            continue        # a 408: the close follows
        i, _ = slow.pop(s)
        sel.unregister(s)
        s.close()
        try:
            s = open_conn(source(i, 2), b"GET / HTTP/1.1\r\n")
            slow[s] = (i, 0)
            sel.register(s, selectors.EVENT_READ)
            reconnects += 1
        except OSError:
            failed += 1
    if time.time() >= next_tick:
        next_tick += 2
        for s, (i, n) in list(slow.items()):
            try:
                s.send(b"X-Slow-%d: %d\r\n" % (n, i))
                slow[s] = (i, n + 1)
            except OSError:
                pass
alive = 0
for s in idle:
    try:
        alive += s.recv(1) != b""
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print("slowclients: %d idle held (%d still open at the end), %d slowloris, "
      "%d slowloris reconnects after the header deadline, %d connect failures"
      % (len(idle), alive, len(slow), reconnects, failed))

// Miniflare's local Hyperdrive proxy pipes workerd's socket to PostgreSQL's and listens for
// `error` on neither (cloudflare/workers-sdk#15768): a connection reset, when workerd drops a
// request's connection or exits, is then an unhandled 'error' event that ends the whole Node
// process (the test run, `npm run serve`, `wrangler dev`). Imported first (`node --import`, or a
// vitest global setup) by the processes that run Miniflare with a Hyperdrive binding, this gives
// every socket of the process a listener that lets a reset close it quietly. Listeners add up,
// so code that handles its sockets' errors still sees them; only the crash is gone.
//
// The proxy's sockets also keep Node's default, Nagle's algorithm: an answer PostgreSQL sends in
// more than one piece (a page of 20 users) waited on workerd's delayed ACK, about 40 ms, before
// its last piece went on (a followers page 60 ms -> 15 ms, the admin list 140 ms -> 34 ms, measured
// through the local proxy). Every socket here sends at once instead (TCP_NODELAY), as Node's own
// HTTP servers and clients do.
import net from "node:net";

const quiet = (socket) => {
  socket.on("error", () => socket.destroy());
  return socket.setNoDelay(true);
};

const { createServer, connect } = net;
net.createServer = (...args) => createServer(...args).on("connection", quiet);
net.connect = net.createConnection = (...args) => quiet(connect(...args));

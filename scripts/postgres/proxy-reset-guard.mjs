// Miniflare's local Hyperdrive proxy pipes workerd's socket to PostgreSQL's and listens for
// `error` on neither (cloudflare/workers-sdk#15768): a connection reset, when workerd drops a
// request's connection or exits, is then an unhandled 'error' event that ends the whole Node
// process (the test run, `npm run serve`, `wrangler dev`). Imported first (`node --import`, or a
// vitest global setup) by the processes that run Miniflare with a Hyperdrive binding, this gives
// every socket of the process a listener that lets a reset close it quietly. Listeners add up,
// so code that handles its sockets' errors still sees them; only the crash is gone.
import net from "node:net";

const quiet = (socket) => {
  socket.on("error", () => socket.destroy());
  return socket;
};

const { createServer, connect } = net;
net.createServer = (...args) => createServer(...args).on("connection", quiet);
net.connect = net.createConnection = (...args) => quiet(connect(...args));

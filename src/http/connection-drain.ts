import type { RequestListener, Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * How long, at shutdown, a keep-alive connection that is idle may still bring a request. A client
 * may be sending one on it at that very moment; closing the socket at once would cut that
 * request off with a reset and no answer.
 */
const IDLE_GRACE_MS = 500;

/**
 * A gentler `server.close()` than Node's, which destroys idle keep-alive connections at once. It
 * stops taking connections, answers every request that still arrives on an open one (with
 * `Connection: close`, so that the client does not reuse it), and closes the connections that
 * stayed idle after IDLE_GRACE_MS. The close callback runs once every connection has ended.
 */
export class ConnectionDrain {
  private draining = false;

  /** The request listener, marking answers given while draining as the connection's last. */
  listener(handler: RequestListener): RequestListener {
    return (request, response) => {
      if (this.draining) response.setHeader('connection', 'close');
      handler(request, response);
    };
  }

  install(server: Server): Server {
    const closeAtOnce = server.close.bind(server);
    server.close = (callback?: (error?: Error) => void): Server => {
      this.draining = true;
      NetServer.prototype.close.call(server, callback);
      setTimeout(() => closeAtOnce(), IDLE_GRACE_MS).unref();
      return server;
    };
    return server;
  }
}

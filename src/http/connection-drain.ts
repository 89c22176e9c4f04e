import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * How long, at shutdown, a keep-alive connection must have been idle before it is closed. A
 * client may be sending a request on it at that very moment; that request was never read, and
 * the reset it gets is the only one a drain gives. A sender that keeps its connection busy always
 * has a request in flight or one about to arrive within this time, and is answered instead.
 */
const IDLE_GRACE_MS = 500;

interface Connection {
  /** Requests read on it and not answered yet. */
  active: number;
  /** When its last answer ended (or it opened). */
  idleSince: number;
  closer?: NodeJS.Timeout;
}

/**
 * A gentler `server.close()` than Node's, which destroys idle keep-alive connections at once. It
 * stops taking connections; every request it has read or still reads on an open connection is
 * answered with `Connection: close` (the ones in flight when the drain began too, so that the
 * client does not send another on it); a connection is closed once it has been idle for
 * IDLE_GRACE_MS. The close callback runs once every connection has ended.
 */
export class ConnectionDrain {
  private draining = false;
  private readonly connections = new Map<Socket, Connection>();
  private readonly answering = new Set<ServerResponse>();

  /** The request listener: marks answers given while draining as their connection's last. */
  listener(handler: RequestListener): RequestListener {
    return (request, response) => {
      this.track(request, response);
      if (this.draining) response.setHeader('connection', 'close');
      handler(request, response);
    };
  }

  install(server: Server): Server {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { active: 0, idleSince: performance.now() });
      socket.once('close', () => {
        clearTimeout(this.connections.get(socket)?.closer);
        this.connections.delete(socket);
      });
    });
    server.close = (callback?: (error?: Error) => void): Server => {
      this.draining = true;
      NetServer.prototype.close.call(server, callback);
      for (const response of this.answering) {
        if (!response.headersSent) response.setHeader('connection', 'close');
      }
      for (const socket of this.connections.keys()) this.closeWhenIdle(socket);
      return server;
    };
    return server;
  }

  private track(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    const connection = this.connections.get(socket);
    if (connection) {
      connection.active++;
      clearTimeout(connection.closer);
    }
    this.answering.add(response);
    response.once('close', () => {
      this.answering.delete(response);
      if (!connection) return;
      connection.active--;
      connection.idleSince = performance.now();
      if (this.draining) this.closeWhenIdle(socket);
    });
  }

  /** Closes the connection once it has been idle IDLE_GRACE_MS; a request meanwhile is answered. */
  private closeWhenIdle(socket: Socket): void {
    const connection = this.connections.get(socket);
    if (!connection || connection.active > 0) return;
    clearTimeout(connection.closer);
    const idleFor = performance.now() - connection.idleSince;
    connection.closer = setTimeout(
      () => {
        if (connection.active === 0) socket.destroy();
      },
      Math.max(0, IDLE_GRACE_MS - idleFor),
    );
  }
}

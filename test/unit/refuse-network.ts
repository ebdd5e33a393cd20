import net from 'node:net';

/**
 * The fast tier's promise, kept: a unit test that opens a connection (Postgres, Redis, the emulator, the
 * internet) or starts a server fails at that call, naming where such a test goes.
 */
function refuse(what: string): never {
  throw new Error(`a unit test ${what}: test/unit/ holds tests that need no service; move this test out of test/unit/ (npm test runs it with Postgres and Redis)`);
}

net.Socket.prototype.connect = function connect(): never {
  refuse('opened a network connection');
};
net.Server.prototype.listen = function listen(): never {
  refuse('started a server');
};

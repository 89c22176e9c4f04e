import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCa {
  /** PEM files: the CA, a broker certificate for 127.0.0.1 with its key, a client certificate with its key. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** The broker certificate, then its unencrypted PKCS#8 key, in one file (Kafka's PEM keystore). */
  serverKeystore: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway certificate authority made with openssl, for TLS between the tests and the broker. */
export async function createTestCa(dir: string, name = 'ca'): Promise<TestCa> {
  const file = (base: string) => join(dir, `${name}-${base}`);
  const openssl = (...args: string[]) => run('openssl', args, { timeout: 30_000 });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=kafka-events test ${name}`,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  const ca: TestCa = {
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    serverKeystore: file('server-keystore.pem'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
  await issue(openssl, file, 'server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1');
  await issue(openssl, file, 'client', 'kafka-events', 'extendedKeyUsage=clientAuth');
  writeFileSync(
    ca.serverKeystore,
    readFileSync(ca.serverCert, 'utf8') + readFileSync(ca.serverKey, 'utf8'),
  );
  return ca;
}

async function issue(
  openssl: (...args: string[]) => Promise<unknown>,
  file: (base: string) => string,
  who: string,
  commonName: string,
  extension: string,
): Promise<void> {
  writeFileSync(file(`${who}.ext`), `${extension}\n`);
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${commonName}`,
    '-keyout',
    file(`${who}.key`),
    '-out',
    file(`${who}.csr`),
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    file(`${who}.csr`),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file(`${who}.ext`),
    '-out',
    file(`${who}.pem`),
  );
}

// SPDX-License-Identifier: MIT
// Recording front for the Prism mock (used by prism.sh; plain Node, no packages).
//
//   node recorder.js PRISM_PORT BASE_PATH RECORD_FILE PORT_FILE
//
// Listens on a free 127.0.0.1 port (written to PORT_FILE once listening) and forwards every
// request unchanged (method, raw path and query, raw headers, body) to Prism on PRISM_PORT,
// except that the schema's base path (servers[0].url, BASE_PATH) is taken off the front of
// the path: Prism's mock serves the schema's paths at the root and ignores `servers`.
// A request outside BASE_PATH is not forwarded: it is answered 404 and recorded as a problem.
// For each exchange it appends one JSON line to RECORD_FILE before answering the client:
//   {"method","url","forwarded","status","violations":[{location,severity,code,message}],
//    "problem":{type,title,detail,...} | null, "canary":bool, "body":"first 4 KiB of the body"}
// `violations` is Prism's sl-violations response header; `problem` is the
// application/problem+json body Prism sends when it refuses a request (no path or method
// matched, security requirement not met, 422 validation error, ...).
'use strict';
const http = require('http');
const fs = require('fs');

const [prismPort, basePath, recordFile, portFile] = process.argv.slice(2);
if (!prismPort || basePath === undefined || !recordFile || !portFile) {
  console.error('usage: node recorder.js PRISM_PORT BASE_PATH RECORD_FILE PORT_FILE');
  process.exit(2);
}
const base = basePath.replace(/\/+$/, '');

function record(entry) {
  fs.appendFileSync(recordFile, JSON.stringify(entry) + '\n');
}

const server = http.createServer((req, res) => {
  let forwarded = req.url;
  if (base) {
    if (!(forwarded === base || forwarded.startsWith(base + '/') || forwarded.startsWith(base + '?'))) {
      req.resume();
      record({ method: req.method, url: req.url, forwarded: null, status: 404, violations: [],
               problem: { title: 'Path outside the schema base path',
                          detail: `${req.url} does not start with the servers[0].url ${base}` } });
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('recorder: path outside ' + base + '\n');
      return;
    }
    forwarded = forwarded.slice(base.length);
    if (!forwarded.startsWith('/')) forwarded = '/' + forwarded;
  }
  const sent = [];
  req.on('data', (c) => sent.push(c));
  const upstream = http.request(
    { host: '127.0.0.1', port: Number(prismPort), method: req.method, path: forwarded, headers: req.rawHeaders },
    (answer) => {
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const entry = { method: req.method, url: req.url, forwarded, status: answer.statusCode,
                        violations: [], problem: null,
                        canary: req.headers['x-conformance-canary'] === '1',
                        body: Buffer.concat(sent).toString('utf8').slice(0, 4096) };
        const header = answer.headers['sl-violations'];
        if (header) {
          try { entry.violations = JSON.parse(header); }
          catch { entry.violations = [{ severity: 'Error', message: 'unparsable sl-violations header: ' + header }]; }
        }
        if (/application\/problem\+json/i.test(answer.headers['content-type'] || '')) {
          try { entry.problem = JSON.parse(body.toString('utf8')); }
          catch { entry.problem = { title: 'unparsable problem+json body', detail: body.toString('utf8') }; }
        }
        record(entry);
        res.writeHead(answer.statusCode, answer.rawHeaders);
        res.end(body);
      });
    });
  upstream.on('error', (e) => {
    record({ method: req.method, url: req.url, forwarded, status: 0, violations: [],
             problem: { title: 'recorder could not reach Prism', detail: String(e) } });
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('recorder: Prism unreachable: ' + e + '\n');
  });
  req.pipe(upstream);
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile + '.tmp', String(server.address().port));
  fs.renameSync(portFile + '.tmp', portFile);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
